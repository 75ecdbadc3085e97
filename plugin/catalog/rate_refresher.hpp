// Keeps the in-memory rate snapshot current: a background thread polls the database's rate data
// version (and the calendar day, since cards and prefixes are dated) and, when either moved, builds
// a new snapshot off the decision path and swaps it in atomically. Decisions never wait for it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "creditgate/host_api.hpp"
#include "gate_metrics.hpp"
#include "periodic_thread.hpp"
#include "rate_data_source.hpp"
#include "rate_snapshot.hpp"

namespace creditgate {

class RateRefresher {
 public:
  // Loads once synchronously (a failure is logged; decisions then block with rate_not_found until a
  // later poll succeeds), then polls every `interval` until destroyed.
  RateRefresher(RateDataSource& source, api::HostServices& services, GateMetrics& metrics,
                std::chrono::milliseconds interval, std::chrono::milliseconds deadline);
  RateRefresher(const RateRefresher&) = delete;
  RateRefresher& operator=(const RateRefresher&) = delete;

  // The snapshot in force; null until rate data was loaded once.
  std::shared_ptr<const RateSnapshot> current() const noexcept { return snapshot_.load(); }
  // False while the ledger cannot confirm the snapshot (its last poll failed): the last loaded data
  // keeps pricing, e.g. for on_ledger_unavailable = allow_flagged.
  bool confirmed() const noexcept { return confirmed_.load(); }
  // Why the last poll failed, short and safe to show a host ("authentication failed").
  std::string failureCause() const;

  // Polls now (tests, and the host's reload()); returns true when a new snapshot was swapped in.
  bool refreshNow();

 private:
  std::string today() const;

  RateDataSource& source_;
  api::HostServices& services_;
  GateMetrics& metrics_;
  const std::chrono::milliseconds deadline_;
  std::atomic<std::shared_ptr<const RateSnapshot>> snapshot_;
  std::mutex refresh_mutex_;  // one refresh at a time: the thread's, or refreshNow()'s
  std::int64_t loaded_version_ = -1;
  std::string loaded_day_;
  std::atomic<bool> confirmed_{false};
  bool failure_logged_ = false;  // under refresh_mutex_: this run of failures was logged
  mutable std::mutex cause_mutex_;
  std::string failure_cause_ = "not loaded yet";
  PeriodicThread thread_;  // last: it uses everything above
};

}  // namespace creditgate
