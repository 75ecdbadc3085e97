// Test support: a RetryClock whose time moves only when a retry waits, so a two-minute retry rule
// runs in no time and its waits can be checked exactly.
#pragma once

#include <chrono>
#include <vector>

#include "retry_clock.hpp"

namespace sample_gateway::testing {

class FakeRetryClock final : public RetryClock {
 public:
  Clock::time_point now() override { return now_; }
  bool waitUnlessStopping(std::chrono::milliseconds delay) override {
    if (stopping) return false;
    waitRegardless(delay);
    return true;
  }
  void waitRegardless(std::chrono::milliseconds delay) override {
    waits.push_back(delay);
    now_ += delay;
  }

  std::chrono::milliseconds waited() const {
    std::chrono::milliseconds total{0};
    for (auto wait : waits) total += wait;
    return total;
  }

  bool stopping = false;  // the gateway is stopping
  std::vector<std::chrono::milliseconds> waits;

 private:
  Clock::time_point now_{};
};

}  // namespace sample_gateway::testing
