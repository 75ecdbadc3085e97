#include "reliability_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace creditgate {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

constexpr LedgerJournal::Kind kKinds[] = {
    LedgerJournal::Kind::decision, LedgerJournal::Kind::outcomes, LedgerJournal::Kind::doubt};
constexpr const char* kResolutions[] = {"voided", "kept", "not_recorded"};

}  // namespace

ReliabilityMetrics::ReliabilityMetrics(prometheus::Registry& r) {
  circuit_open_ = &BuildGauge()
                       .Name("creditgate_ledger_circuit_open")
                       .Help("1 while the ledger's circuit is open (failing fast, probing).")
                       .Register(r)
                       .Add({});
  journal_pending_ = &BuildGauge()
                          .Name("creditgate_journal_pending")
                          .Help("Journal entries the ledger has not taken yet, by kind.")
                          .Register(r);
  journal_replayed_ = &BuildCounter()
                           .Name("creditgate_journal_replayed_total")
                           .Help("Journal entries replayed to the ledger, by kind and result.")
                           .Register(r);
  doubts_resolved_ = &BuildCounter()
                          .Name("creditgate_doubts_resolved_total")
                          .Help("Decisions in doubt resolved by this instance, by resolution.")
                          .Register(r);
  stale_pricing_ = &BuildCounter()
                        .Name("creditgate_stale_pricing_decisions_total")
                        .Help(
                            "Outage decisions priced from a tenant profile or rate snapshot "
                            "the ledger could not confirm.")
                        .Register(r)
                        .Add({});
  restart_pending_ = &BuildGauge()
                          .Name("creditgate_config_restart_pending")
                          .Help("1 when edited settings take effect only at the next restart.")
                          .Register(r)
                          .Add({});
  for (const auto kind : kKinds) {
    journal_pending_->Add({{"kind", journalKindName(kind)}});
    for (const char* result : {"taken", "refused"}) {
      journal_replayed_->Add({{"kind", journalKindName(kind)}, {"result", result}});
    }
  }
  for (const char* resolution : kResolutions) doubts_resolved_->Add({{"resolution", resolution}});
}

void ReliabilityMetrics::setCircuitOpen(bool open) {
  circuit_open_->Set(open ? 1 : 0);
}

void ReliabilityMetrics::setJournalPending(const LedgerJournal::Counts& counts) {
  const std::size_t by_kind[] = {counts.decisions, counts.outcomes, counts.doubts};
  for (std::size_t i = 0; i < std::size(kKinds); ++i) {
    journal_pending_->Add({{"kind", journalKindName(kKinds[i])}})
        .Set(static_cast<double>(by_kind[i]));
  }
}

void ReliabilityMetrics::countJournalReplayed(LedgerJournal::Kind kind, bool taken) {
  journal_replayed_->Add({{"kind", journalKindName(kind)}, {"result", taken ? "taken" : "refused"}})
      .Increment();
}

void ReliabilityMetrics::countDoubtResolved(std::string_view resolution) {
  doubts_resolved_->Add({{"resolution", std::string(resolution)}}).Increment();
}

void ReliabilityMetrics::countStalePricing() {
  stale_pricing_->Increment();
}

void ReliabilityMetrics::setRestartPending(bool pending) {
  restart_pending_->Set(pending ? 1 : 0);
}

}  // namespace creditgate
