// Background figures for the metrics that no decision passes through: the outbox backlog, the
// top-ups admins made (creditctl runs elsewhere), and the connection pool. One round trip per poll.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "gate_metrics.hpp"
#include "outbox.hpp"
#include "periodic_thread.hpp"

namespace creditgate {

class LedgerWatch {
 public:
  LedgerWatch(Database& database, Outbox& outbox, GateMetrics& metrics,
              std::chrono::milliseconds interval, std::chrono::milliseconds deadline);
  LedgerWatch(const LedgerWatch&) = delete;
  LedgerWatch& operator=(const LedgerWatch&) = delete;

  void pollNow();

 private:
  Database& database_;
  Outbox& outbox_;
  GateMetrics& metrics_;
  const std::chrono::milliseconds deadline_;
  std::mutex poll_mutex_;
  // Top-ups are counted from this instance's start: the first poll only finds where "now" is.
  std::int64_t last_topup_entry_id_ = -1;
  PeriodicThread thread_;  // last: it uses everything above
};

}  // namespace creditgate
