// Send slots at a fixed rate, shared by every sender thread: slot k is due k/N seconds after the
// start, so N batches a second in all however many threads send them, and the rate does not drift
// with how long each send takes. A gateway that fell behind (a slow ledger) catches up on at most
// kMaxCatchUp of missed slots, not with one burst of everything it missed.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace sample_gateway {

class Pacer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kMaxCatchUp{1};

  Pacer(unsigned per_second, Clock::time_point start);

  // Takes the next slot and returns when it is due (earlier than `now` while catching up).
  // Thread-safe.
  Clock::time_point takeSlot(Clock::time_point now);

 private:
  std::mutex mutex_;
  const std::uint64_t per_second_;
  Clock::time_point origin_;  // slot 0 of the current second
  std::uint64_t next_ = 0;    // slots taken since origin_, < per_second_
};

}  // namespace sample_gateway
