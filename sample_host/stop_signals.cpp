#include "stop_signals.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

namespace sample_gateway {

namespace {

sigset_t stopSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

std::string signalName(int signo) {
  switch (signo) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
  }
  return "signal " + std::to_string(signo);
}

void StopSignals::block() {
  sigset_t set = stopSignalSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

StopSignals::StopSignals(Shutdown& shutdown) : shutdown_(shutdown), thread_([this] { watch(); }) {}

StopSignals::~StopSignals() {
  done_ = true;
  thread_.join();
}

void StopSignals::attach(OutreachRun* run) {
  std::lock_guard lock(mutex_);
  run_ = run;
}

// Polls so that the destructor can end the thread without sending it a signal of its own.
void StopSignals::watch() {
  const sigset_t set = stopSignalSet();
  const timespec poll{0, 100'000'000};  // 100 ms
  while (!done_.load()) {
    int signo = sigtimedwait(&set, nullptr, &poll);
    if (signo > 0) onSignal(signo);
  }
}

void StopSignals::onSignal(int signo) {
  std::lock_guard lock(mutex_);
  if (++signals_ == 1) {
    first_signal_ = signo;
    if (run_ != nullptr) {
      run_->print("stopping (" + signalName(signo) + "): finishing what is in flight (batches " +
                  std::to_string(run_->batchesInFlight()) + ", refused reports " +
                  std::to_string(run_->reportsPending()) + "); signal again to exit at once");
    } else {
      printError("sample_gateway: stopping (" + signalName(signo) + ") before sending");
    }
    shutdown_.requestStop();
    return;
  }
  if (run_ != nullptr) run_->exitAtOnce("second signal (" + signalName(signo) + ")", 128 + signo);
  printError("sample_gateway: second signal (" + signalName(signo) + "): exiting at once");
  std::_Exit(128 + signo);
}

}  // namespace sample_gateway
