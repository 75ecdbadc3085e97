// How one call to the plugin is retried: a first delay, each next delay twice the last up to a
// ceiling, for a bounded time. decide() and report() each have one (gateway.json decide_retry and
// report_retry).
#pragma once

#include <algorithm>
#include <chrono>

namespace sample_gateway {

struct RetryPolicy {
  std::chrono::milliseconds first_delay{200};
  std::chrono::milliseconds max_delay{5000};
  // No retry starts later than this after the first attempt; zero: never retry.
  std::chrono::milliseconds give_up_after{std::chrono::minutes(2)};

  // True when an attempt `delay` from now, `elapsed` after the first one, would be too late.
  bool tooLate(std::chrono::milliseconds elapsed, std::chrono::milliseconds delay) const {
    return elapsed + delay > give_up_after;
  }
};

// The delays between the attempts of one call, in order.
class Backoff {
 public:
  explicit Backoff(const RetryPolicy& policy)
      : max_(policy.max_delay), next_(std::min(policy.first_delay, policy.max_delay)) {}

  std::chrono::milliseconds next() {
    std::chrono::milliseconds delay = next_;
    next_ = std::min(next_ * 2, max_);
    return delay;
  }

 private:
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
};

}  // namespace sample_gateway
