// A rate change in the database reaches a running plugin within seconds, while decisions keep
// flowing: none fails, and every decision after the change uses the new card.
#include "background_decisions.hpp"

#include <chrono>
#include <thread>

namespace creditgate::testing {
namespace {

using Clock = std::chrono::steady_clock;

class RateRefreshTest : public GateTest {};

TEST_F(RateRefreshTest, NewCardIsPickedUpUnderConcurrentDecisionsWithoutFailures) {
  constexpr std::int64_t kNewGermanyMarketing = 150'000;
  db_.addTenant("acme", "EUR", 1'000'000'000'000);  // never the limit here
  startGate(kBlockPolicy);  // the fixture's config polls rate data every 200 ms

  BackgroundDecisions deciding(*gate_, "acme", 8);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  db_.exec(
      "WITH card AS (INSERT INTO creditgate.rate_card (currency, effective_from, source) "
      "  VALUES ('EUR', (now() AT TIME ZONE 'utc')::date, 'change') RETURNING card_id) "
      "INSERT INTO creditgate.rate (card_id, market, category, rate_micros) "
      "SELECT card.card_id, market, category, "
      "  CASE WHEN market = 'Germany' AND category = 'marketing' THEN " +
      std::to_string(kNewGermanyMarketing) +
      " ELSE rate_micros END FROM creditgate.rate, card WHERE rate.card_id = 1");
  const auto changed = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // "noticed within seconds"
  const auto cutoff = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::vector<ObservedDecision> observed = deciding.stop();

  int before = 0;
  int after = 0;
  for (const auto& o : observed) {
    ASSERT_EQ(o.verdict.decision, api::Decision::allow)
        << o.batch_id << ": " << api::reasonCode(o.verdict.reason) << " " << o.verdict.detail;
    if (o.started < changed) {
      EXPECT_EQ(o.verdict.charged_micros, kEurGermanyMarketing) << o.batch_id;
      ++before;
    }
    if (o.started > cutoff) {
      EXPECT_EQ(o.verdict.charged_micros, kNewGermanyMarketing) << o.batch_id;
      ++after;
    }
  }
  EXPECT_GT(before, 0);
  EXPECT_GT(after, 0);
  // Every debit records the card that priced it.
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.batch b JOIN creditgate.rate_card c "
                         "ON c.card_id = b.rate_card_id WHERE c.source = 'change' AND b.charged_micros <> " +
                         std::to_string(kNewGermanyMarketing)),
            0);
}

}  // namespace
}  // namespace creditgate::testing
