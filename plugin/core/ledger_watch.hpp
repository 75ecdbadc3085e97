// Background figures for the metrics that no decision passes through: the outbox backlog, the
// top-ups admins made (creditctl runs elsewhere), and the connection pool. One round trip per poll.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "gate_metrics.hpp"
#include "ledger.hpp"

namespace creditgate {

class LedgerWatch {
 public:
  LedgerWatch(Ledger& ledger, GateMetrics& metrics, std::chrono::milliseconds interval,
              std::chrono::milliseconds deadline);
  ~LedgerWatch();
  LedgerWatch(const LedgerWatch&) = delete;
  LedgerWatch& operator=(const LedgerWatch&) = delete;

  void pollNow();

 private:
  void run();

  Ledger& ledger_;
  GateMetrics& metrics_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds deadline_;
  std::mutex poll_mutex_;
  // Top-ups are counted from this instance's start: the first poll only finds where "now" is.
  std::int64_t last_topup_entry_id_ = -1;
  std::mutex stop_mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace creditgate
