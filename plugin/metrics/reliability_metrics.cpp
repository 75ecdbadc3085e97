#include "reliability_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace creditgate {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

constexpr const char* kKinds[] = {"decision", "outcomes", "doubt"};
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
  for (const char* kind : kKinds) {
    journal_pending_->Add({{"kind", kind}});
    for (const char* result : {"taken", "refused"}) {
      journal_replayed_->Add({{"kind", kind}, {"result", result}});
    }
  }
  for (const char* resolution : kResolutions) doubts_resolved_->Add({{"resolution", resolution}});
}

void ReliabilityMetrics::setCircuitOpen(bool open) {
  circuit_open_->Set(open ? 1 : 0);
}

void ReliabilityMetrics::setJournalPending(std::size_t decisions, std::size_t outcomes,
                                           std::size_t doubts) {
  const std::size_t by_kind[] = {decisions, outcomes, doubts};
  for (std::size_t i = 0; i < std::size(kKinds); ++i) {
    journal_pending_->Add({{"kind", kKinds[i]}}).Set(static_cast<double>(by_kind[i]));
  }
}

void ReliabilityMetrics::countJournalReplayed(std::string_view kind, bool taken) {
  journal_replayed_->Add({{"kind", std::string(kind)}, {"result", taken ? "taken" : "refused"}})
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
