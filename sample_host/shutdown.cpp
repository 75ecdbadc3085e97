#include "shutdown.hpp"

namespace sample_gateway {

void Shutdown::requestStop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
}

bool Shutdown::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool Shutdown::waitUntil(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return !stop_requested_.wait_until(lock, deadline, [this] { return stopping_; });
}

}  // namespace sample_gateway
