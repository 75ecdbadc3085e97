// Send slots at N a second over all sender threads: never faster, no drift, and a bounded
// catch-up after falling behind.
#include <gtest/gtest.h>

#include <chrono>

#include "pacer.hpp"

namespace sample_gateway::testing {
namespace {

using namespace std::chrono_literals;
using Clock = Pacer::Clock;

TEST(PacerTest, SlotsAreEvenlySpacedAtTheRate) {
  const Clock::time_point start{};
  Pacer pacer(4, start);
  EXPECT_EQ(pacer.takeSlot(start), start);
  EXPECT_EQ(pacer.takeSlot(start), start + 250ms);
  EXPECT_EQ(pacer.takeSlot(start), start + 500ms);
  EXPECT_EQ(pacer.takeSlot(start), start + 750ms);
  EXPECT_EQ(pacer.takeSlot(start), start + 1s);
}

TEST(PacerTest, NeverMoreThanNASecondAndNoDriftOverAnHour) {
  const Clock::time_point start{};
  Pacer pacer(7, start);  // 1/7 s is no whole number of nanoseconds
  Clock::time_point last{};
  for (int i = 0; i < 7 * 3600; ++i) last = pacer.takeSlot(last);
  EXPECT_EQ(pacer.takeSlot(last), start + 3600s);  // slot 7 * 3600 is due exactly an hour in
  EXPECT_GT(last, start + 3599s);
}

TEST(PacerTest, AfterFallingBehindItCatchesUpOnAtMostOneSecondOfSlots) {
  const Clock::time_point start{};
  Pacer pacer(10, start);
  pacer.takeSlot(start);
  // A slow ledger held every sender for 500 ms: the missed slots are due at once (caught up).
  EXPECT_EQ(pacer.takeSlot(start + 500ms), start + 100ms);
  // Held for 10 s: the schedule starts afresh from now instead of a burst of 100 slots.
  const Clock::time_point late = start + 10s;
  EXPECT_EQ(pacer.takeSlot(late), late);
  EXPECT_EQ(pacer.takeSlot(late), late + 100ms);
}

}  // namespace
}  // namespace sample_gateway::testing
