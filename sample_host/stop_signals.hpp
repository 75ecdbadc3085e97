// What SIGINT and SIGTERM do to the gateway. The first stops it gracefully (Shutdown: no new
// batch, batches in flight and refused reports are finished, totals printed). The second ends it
// at once, after the attached run has said what it leaves unfinished; exit status 128 + signal.
//
// The signals are taken on a thread of their own with sigtimedwait, not by an asynchronous handler,
// so the reaction may lock, print and read the run like any other code.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "outreach_run.hpp"
#include "shutdown.hpp"

namespace sample_gateway {

class StopSignals {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread and so in every thread it starts later. Call
  // first thing in main, before the plugin starts threads: a thread that had them unblocked would
  // take them with the default action and end the process on the spot.
  static void block();

  explicit StopSignals(Shutdown& shutdown);  // starts watching
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The run a second signal reports on; nullptr detaches. Detach before the run is destroyed.
  void attach(OutreachRun* run);

  int firstSignal() const { return first_signal_.load(); }  // 0: none yet

 private:
  void watch();
  void onSignal(int signo);

  Shutdown& shutdown_;
  std::mutex mutex_;  // guards run_ and signals_
  OutreachRun* run_ = nullptr;
  unsigned signals_ = 0;
  std::atomic<int> first_signal_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

std::string signalName(int signo);  // "SIGTERM"

}  // namespace sample_gateway
