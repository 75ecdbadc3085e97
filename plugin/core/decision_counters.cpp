#include "decision_counters.hpp"

namespace creditgate {

void DecisionCounters::count(api::Decision decision, api::Reason reason) noexcept {
  const auto d = static_cast<std::size_t>(decision);
  const auto r = static_cast<std::size_t>(reason);
  if (d < kDecisions && r < kReasons) {
    decisions_[d * kReasons + r].fetch_add(1, std::memory_order_relaxed);
  }
}

std::uint64_t DecisionCounters::decisions(api::Decision decision, api::Reason reason) const noexcept {
  const auto d = static_cast<std::size_t>(decision);
  const auto r = static_cast<std::size_t>(reason);
  if (d >= kDecisions || r >= kReasons) return 0;
  return decisions_[d * kReasons + r].load(std::memory_order_relaxed);
}

std::string DecisionCounters::prometheusText() const {
  std::string out =
      "# HELP creditgate_decisions_total Batches decided, by decision and reason.\n"
      "# TYPE creditgate_decisions_total counter\n";
  for (std::size_t d = 0; d < kDecisions; ++d) {
    for (std::size_t r = 0; r < kReasons; ++r) {
      const std::uint64_t n = decisions_[d * kReasons + r].load(std::memory_order_relaxed);
      if (n == 0) continue;  // only pairs that happened: most never do (allow + insufficient_credit)
      out += "creditgate_decisions_total{decision=\"";
      out += api::decisionName(static_cast<api::Decision>(d));
      out += "\",reason=\"";
      out += api::reasonCode(static_cast<api::Reason>(r));
      out += "\"} " + std::to_string(n) + "\n";
    }
  }
  out +=
      "# HELP creditgate_ledger_errors_total Ledger calls that failed (unreachable, timeout, refused).\n"
      "# TYPE creditgate_ledger_errors_total counter\n"
      "creditgate_ledger_errors_total " +
      std::to_string(ledger_errors_.load(std::memory_order_relaxed)) + "\n";
  return out;
}

}  // namespace creditgate
