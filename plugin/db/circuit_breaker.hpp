// Fails fast while the ledger is down, and probes it before trusting it again: after
// `failure_threshold` consecutive failures the circuit opens; calls fail at once until the open
// period ends; then one call at a time may probe (half-open); a success closes the circuit, a
// failure reopens it for twice as long, up to `max_open`. No reconnect storm, no waiting on a dead
// database per decision. `max_open` is short (a second): one probe a second per instance costs the
// database nothing, and the first good decision follows within about a second of its return.
#pragma once

#include <chrono>
#include <mutex>

namespace creditgate {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };
  // What a call's outcome did to the circuit, for the one log line per outage.
  enum class Transition { none, opened, closed };

  CircuitBreaker(int failure_threshold, std::chrono::milliseconds initial_open,
                 std::chrono::milliseconds max_open);

  // True when a call may go to the database now (in half-open: only the one probe).
  bool allowCall();
  Transition recordSuccess();
  Transition recordFailure();
  State state();

 private:
  std::mutex mutex_;
  const int failure_threshold_;
  const std::chrono::milliseconds initial_open_;
  const std::chrono::milliseconds max_open_;
  State state_ = State::closed;
  int consecutive_failures_ = 0;
  std::chrono::milliseconds open_for_;
  Clock::time_point open_until_{};
  bool probe_in_flight_ = false;
};

}  // namespace creditgate
