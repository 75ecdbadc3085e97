#include "retry_clock.hpp"

#include <thread>

namespace sample_gateway {

RetryClock::Clock::time_point SteadyRetryClock::now() {
  return Clock::now();
}

bool SteadyRetryClock::waitUnlessStopping(std::chrono::milliseconds delay) {
  return shutdown_.waitFor(delay);
}

void SteadyRetryClock::waitRegardless(std::chrono::milliseconds delay) {
  std::this_thread::sleep_for(delay);
}

}  // namespace sample_gateway
