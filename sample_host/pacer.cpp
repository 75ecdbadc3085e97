#include "pacer.hpp"

namespace sample_gateway {

Pacer::Pacer(unsigned per_second, Clock::time_point start)
    : per_second_(per_second == 0 ? 1 : per_second), origin_(start) {}

Pacer::Clock::time_point Pacer::takeSlot(Clock::time_point now) {
  using std::chrono::nanoseconds;
  std::lock_guard lock(mutex_);
  // Whole seconds move the origin, so next_ * 1e9 never grows large: exact for any run length.
  if (next_ == per_second_) {
    origin_ += std::chrono::seconds(1);
    next_ = 0;
  }
  Clock::time_point due =
      origin_ + nanoseconds(static_cast<std::int64_t>(next_ * 1'000'000'000 / per_second_));
  if (due < now - kMaxCatchUp) {
    // Fell behind by more than kMaxCatchUp: start afresh from now.
    origin_ = now;
    next_ = 0;
    due = now;
  }
  ++next_;
  return due;
}

}  // namespace sample_gateway
