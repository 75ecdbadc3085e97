// How the gateway stops. The first request (a signal, or the end of --duration) stops it
// gracefully: no new batch starts, batches in flight and refused reports are finished. Waits that
// pace sending or retry a call that owes nothing end early on it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace sample_gateway {

class Shutdown {
 public:
  using Clock = std::chrono::steady_clock;

  // The first request wins; later ones change nothing.
  void requestStop();
  bool stopping() const;

  // Wait until `deadline` / for `delay`; false, at once or early, when the gateway is stopping.
  bool waitUntil(Clock::time_point deadline);
  bool waitFor(std::chrono::milliseconds delay) { return waitUntil(Clock::now() + delay); }

 private:
  mutable std::mutex mutex_;
  std::condition_variable stop_requested_;
  bool stopping_ = false;
};

}  // namespace sample_gateway
