// Counts of verdicts by decision and reason, exposed as Prometheus text through the host API.
// Lock-free: incremented on every decision from many threads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "creditgate/host_api.hpp"

namespace creditgate {

class DecisionCounters {
 public:
  void count(api::Decision decision, api::Reason reason) noexcept;
  void countLedgerError() noexcept { ledger_errors_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t decisions(api::Decision decision, api::Reason reason) const noexcept;
  std::string prometheusText() const;

 private:
  static constexpr std::size_t kDecisions = 4;
  static constexpr std::size_t kReasons = static_cast<std::size_t>(api::Reason::invalid_outcome) + 1;
  std::array<std::atomic<std::uint64_t>, kDecisions * kReasons> decisions_{};
  std::atomic<std::uint64_t> ledger_errors_{0};
};

}  // namespace creditgate
