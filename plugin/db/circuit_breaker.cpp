#include "circuit_breaker.hpp"

#include <algorithm>

namespace creditgate {

CircuitBreaker::CircuitBreaker(int failure_threshold, std::chrono::milliseconds initial_open,
                               std::chrono::milliseconds max_open)
    : failure_threshold_(failure_threshold),
      initial_open_(initial_open),
      max_open_(max_open),
      open_for_(initial_open) {}

bool CircuitBreaker::allowCall() {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::closed: return true;
    case State::open:
      if (Clock::now() < open_until_) return false;
      state_ = State::half_open;
      probe_in_flight_ = true;
      return true;
    case State::half_open:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return true;
}

CircuitBreaker::Transition CircuitBreaker::recordSuccess() {
  std::lock_guard lock(mutex_);
  const bool was_open = state_ != State::closed;
  state_ = State::closed;
  consecutive_failures_ = 0;
  open_for_ = initial_open_;
  probe_in_flight_ = false;
  return was_open ? Transition::closed : Transition::none;
}

CircuitBreaker::Transition CircuitBreaker::recordFailure() {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  if (state_ == State::half_open) {
    open_for_ = std::min(open_for_ * 2, max_open_);  // the probe failed: back off further
    state_ = State::open;
    open_until_ = Clock::now() + open_for_;
    probe_in_flight_ = false;
    return Transition::none;  // it was open already
  }
  if (consecutive_failures_ < failure_threshold_ || state_ == State::open) return Transition::none;
  state_ = State::open;
  open_until_ = Clock::now() + open_for_;
  probe_in_flight_ = false;
  return Transition::opened;
}

CircuitBreaker::State CircuitBreaker::state() {
  std::lock_guard lock(mutex_);
  return state_;
}

}  // namespace creditgate
