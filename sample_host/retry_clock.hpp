// How a retry waits, apart from the retry rule, so that tests run a two-minute rule in no time.
#pragma once

#include <chrono>

#include "shutdown.hpp"

namespace sample_gateway {

class RetryClock {
 public:
  using Clock = std::chrono::steady_clock;

  virtual Clock::time_point now() = 0;
  // Waits `delay`; false, early, once the gateway is stopping: for a retry that owes nothing.
  virtual bool waitUnlessStopping(std::chrono::milliseconds delay) = 0;
  // Waits `delay` even while the gateway stops: for a retry that must learn where money stands.
  virtual void waitRegardless(std::chrono::milliseconds delay) = 0;

 protected:
  ~RetryClock() = default;  // not owned through this interface
};

// The steady clock; stopping is the Shutdown's.
class SteadyRetryClock final : public RetryClock {
 public:
  explicit SteadyRetryClock(Shutdown& shutdown) : shutdown_(shutdown) {}

  Clock::time_point now() override;
  bool waitUnlessStopping(std::chrono::milliseconds delay) override;
  void waitRegardless(std::chrono::milliseconds delay) override;

 private:
  Shutdown& shutdown_;
};

}  // namespace sample_gateway
