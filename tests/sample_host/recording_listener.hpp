// Test support: a ReportRetrier::Listener that records what became of each report.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "report_retrier.hpp"

namespace sample_gateway::testing {

class RecordingListener final : public ReportRetrier::Listener {
 public:
  struct Accepted {
    std::string batch_id;
    creditgate::api::Settlement settlement;
    unsigned attempts = 0;
  };

  void reportAccepted(const PendingReport& report, const creditgate::api::Settlement& settlement,
                      unsigned attempts) override {
    std::lock_guard lock(mutex_);
    accepted_.push_back({report.batch_id, settlement, attempts});
  }
  void reportNotAccepted(const UnacceptedReport& unaccepted) override {
    std::lock_guard lock(mutex_);
    not_accepted_.push_back(unaccepted);
  }

  std::vector<Accepted> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  std::vector<UnacceptedReport> notAccepted() const {
    std::lock_guard lock(mutex_);
    return not_accepted_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Accepted> accepted_;
  std::vector<UnacceptedReport> not_accepted_;
};

}  // namespace sample_gateway::testing
