// The metrics of the failure handling (docs/RELIABILITY.md): the circuit, the journal, decisions
// in doubt, pricing from memory during outages, and settings waiting for a restart. Registered in
// GateMetrics' registry, so they are served and exposed with every other metric; every series
// exists from the start (at 0), so rate() and increase() see the first event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace prometheus {
class Counter;
class Gauge;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace creditgate {

class ReliabilityMetrics {
 public:
  explicit ReliabilityMetrics(prometheus::Registry& registry);

  void setCircuitOpen(bool open);
  // Entries of the outage journal by kind: "decision", "outcomes", "doubt" (the label set).
  void setJournalPending(std::size_t decisions, std::size_t outcomes, std::size_t doubts);
  // A journal entry the ledger took (`taken`) or could not take (e.g. a conflicting batch id).
  void countJournalReplayed(std::string_view kind, bool taken);
  void countDoubtResolved(std::string_view resolution);  // voided | kept | not_recorded
  void countStalePricing();
  void setRestartPending(bool pending);

 private:
  prometheus::Gauge* circuit_open_;
  prometheus::Family<prometheus::Gauge>* journal_pending_;
  prometheus::Family<prometheus::Counter>* journal_replayed_;
  prometheus::Family<prometheus::Counter>* doubts_resolved_;
  prometheus::Counter* stale_pricing_;
  prometheus::Gauge* restart_pending_;
};

}  // namespace creditgate
