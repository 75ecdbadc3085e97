// Test support: threads that keep deciding one-recipient batches for one tenant while a test
// changes something under them (a config file, the rate card), each decision recorded with the
// moment it started, so the test can tell the decisions before the change from those after.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gate_fixture.hpp"

namespace creditgate::testing {

struct ObservedDecision {
  std::chrono::steady_clock::time_point started;
  std::string batch_id;  // "t<thread>-<n>"
  api::Verdict verdict;
};

class BackgroundDecisions {
 public:
  BackgroundDecisions(api::CreditGate& gate, const std::string& tenant, int threads) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, &gate, tenant, t] {
        for (int i = 0; !stop_.load(); ++i) {
          const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
          const auto started = std::chrono::steady_clock::now();
          OwnedBatch b = batch(tenant, id, germanNumbers(1, t * 100000 + i));
          const api::Verdict v = gate.decide(b.view());
          std::lock_guard lock(mutex_);
          observed_.push_back({started, id, v});
        }
      });
    }
  }
  ~BackgroundDecisions() { stop(); }
  BackgroundDecisions(const BackgroundDecisions&) = delete;
  BackgroundDecisions& operator=(const BackgroundDecisions&) = delete;

  // Stops the threads (each finishes the decision it is in) and returns every decision made.
  std::vector<ObservedDecision> stop() {
    stop_ = true;
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    std::lock_guard lock(mutex_);
    return observed_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<ObservedDecision> observed_;
  std::vector<std::thread> threads_;
};

}  // namespace creditgate::testing
