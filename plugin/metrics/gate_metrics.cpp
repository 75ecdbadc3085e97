#include "gate_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <stdexcept>

#include "creditgate/api_version.hpp"

namespace creditgate {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

constexpr const char* kVersion = CREDITGATE_VERSION;  // creditgate/version.hpp, via api_version.hpp

// Decision latency: a decision is one round trip (~1 ms) unless the database is slow or down.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

// Whether a verdict of decide() can carry this (decision, reason) pair, as Reason in host_api.hpp
// documents it: each allow reason its one allow decision, ledger_unavailable both allow_flagged
// (on_ledger_unavailable = allow_flagged) and block, the report-only reasons none, every other
// reason block.
constexpr bool decisionCanCarry(api::Decision decision, api::Reason reason) {
  using api::Decision;
  using api::Reason;
  switch (reason) {
    case Reason::ok: return decision == Decision::allow;
    case Reason::overdraft: return decision == Decision::allow_flagged;
    case Reason::partial_credit: return decision == Decision::allow_partial;
    case Reason::ledger_unavailable:
      return decision == Decision::allow_flagged || decision == Decision::block;
    case Reason::unknown_batch:
    case Reason::invalid_outcome: return false;
    default: return decision == Decision::block;
  }
}

// Whether a batch whose category does not parse (category label "invalid") can get this reason:
// the checks that run before the category (findBatchProblem), the category's own, or a bug.
constexpr bool reasonWithoutCategory(api::Reason reason) {
  using api::Reason;
  switch (reason) {
    case Reason::invalid_tenant_id:
    case Reason::invalid_batch_id:
    case Reason::invalid_campaign_id:
    case Reason::invalid_template:
    case Reason::unknown_category:
    case Reason::internal_error: return true;
    default: return false;
  }
}

}  // namespace

GateMetrics::GateMetrics(const MetricsOptions& options)
    : options_(options), registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  decisions_ = &BuildCounter()
                    .Name("creditgate_decisions_total")
                    .Help("Batches decided, by decision, reason and template category.")
                    .Register(r);
  recipients_ = &BuildCounter()
                     .Name("creditgate_recipients_total")
                     .Help("Recipients in decided batches, by decision.")
                     .Register(r);
  money_ = &BuildCounter()
                .Name("creditgate_money_micro_units_total")
                .Help("Money moved in micro-units of the currency: debit, refund, topup.")
                .Register(r);
  ledger_errors_ = &BuildCounter()
                        .Name("creditgate_ledger_errors_total")
                        .Help("Ledger database calls that failed, by kind.")
                        .Register(r);
  failure_policy_ = &BuildCounter()
                         .Name("creditgate_failure_policy_decisions_total")
                         .Help("Decisions taken by on_ledger_unavailable, by policy.")
                         .Register(r);
  deliveries_ = &BuildCounter()
                     .Name("creditgate_notification_deliveries_total")
                     .Help(
                         "Attempts to deliver a notification to a tenant's channel (email, "
                         "webhook, host), by outcome: delivered, retry, failed, disabled.")
                     .Register(r);
  tenant_balance_ = &BuildGauge()
                         .Name("creditgate_tenant_balance_micro_units")
                         .Help("Last known balance per tenant (capped number of tenants).")
                         .Register(r);
  tenant_critical_ = &BuildGauge()
                          .Name("creditgate_tenant_critical_threshold_micro_units")
                          .Help("Low-balance critical threshold per tenant.")
                          .Register(r);
  decision_seconds_ = &BuildHistogram()
                           .Name("creditgate_decision_duration_seconds")
                           .Help("decide() latency inside the plugin.")
                           .Register(r)
                           .Add({}, kLatencyBuckets);
  auto& pool = BuildGauge()
                   .Name("creditgate_pool_connections")
                   .Help("Ledger connections, by state.")
                   .Register(r);
  pool_open_ = &pool.Add({{"state", "open"}});
  pool_in_use_ = &pool.Add({{"state", "in_use"}});
  pool_size_ =
      &BuildGauge().Name("creditgate_pool_size").Help("Configured pool size.").Register(r).Add({});
  rate_refreshed_ = &BuildGauge()
                         .Name("creditgate_rate_data_last_refresh_timestamp_seconds")
                         .Help("When the rate snapshot was last confirmed current.")
                         .Register(r)
                         .Add({});
  rate_version_ = &BuildGauge()
                       .Name("creditgate_rate_data_version")
                       .Help("The database's rate data version in force.")
                       .Register(r)
                       .Add({});
  config_generation_ = &BuildGauge()
                            .Name("creditgate_config_generation")
                            .Help("Config generation in force.")
                            .Register(r)
                            .Add({});
  reload_failures_ = &BuildCounter()
                          .Name("creditgate_config_reload_failures_total")
                          .Help("Config files refused; the running config stayed.")
                          .Register(r)
                          .Add({});
  flush_fallbacks_ = &BuildCounter()
                          .Name("creditgate_flush_fallbacks_total")
                          .Help(
                              "Flushes decided one batch at a time: the ledger could not take "
                              "them whole.")
                          .Register(r)
                          .Add({});
  replays_ = &BuildCounter()
                  .Name("creditgate_decision_replays_total")
                  .Help(
                      "Retried batches answered with their original verdict (not counted again in "
                      "creditgate_decisions_total).")
                  .Register(r)
                  .Add({});
  auto& gathers = BuildCounter()
                      .Name("creditgate_flush_gathers_total")
                      .Help(
                          "Times a free flusher waited for the callers of the last flush to come "
                          "back (group_commit.gather_us): result complete or timeout.")
                      .Register(r);
  gathers_complete_ = &gathers.Add({{"result", "complete"}});
  gathers_timed_out_ = &gathers.Add({{"result", "timeout"}});
  outbox_pending_ = &BuildGauge()
                         .Name("creditgate_outbox_pending")
                         .Help(
                             "Notification deliveries not yet made (one per event and channel), "
                             "and events not yet fanned out to their channels.")
                         .Register(r)
                         .Add({});
  oldest_undelivered_ = &BuildGauge()
                             .Name("creditgate_notification_oldest_undelivered_seconds")
                             .Help(
                                 "How long the oldest notification still to deliver has waited "
                                 "since its event (0 when none).")
                             .Register(r)
                             .Add({});
  balances_dropped_ = &BuildCounter()
                           .Name("creditgate_tenant_balance_series_dropped_total")
                           .Help("Balance updates not exported: the tenant cap was reached.")
                           .Register(r)
                           .Add({});
  BuildGauge()
      .Name("creditgate_build_info")
      .Help("Build information; always 1.")
      .Register(r)
      .Add({{"version", kVersion}, {"api_version", std::to_string(api::kApiVersion)}})
      .Set(1);
  // Every labelled counter starts at 0 for every label set it can get: a series exported only from
  // its first increment is invisible to rate() and increase() for that increment, so the first
  // partial decision or top-up would never show on a dashboard. Decisions: 121 series, 23
  // (decision, reason) pairs x 5 categories plus 6 reasons x category "invalid". Money series
  // come with the currencies (knowCurrency).
  for (std::size_t d = 0; d < kDecisions; ++d) {
    const auto decision = static_cast<api::Decision>(d);
    recipientCounter(decision);
    for (std::size_t r = 0; r < kReasons; ++r) {
      const auto reason = static_cast<api::Reason>(r);
      if (!decisionCanCarry(decision, reason)) continue;
      if (reason != api::Reason::unknown_category) {
        for (std::size_t c = 0; c < kCategoryCount; ++c) decisionCounter(d, r, c);
      }
      if (reasonWithoutCategory(reason)) decisionCounter(d, r, kCategoryCount);
    }
  }
  for (const char* kind : {"unavailable", "timeout", "in_doubt", "rejected"}) {
    ledger_errors_->Add({{"kind", kind}});
  }
  for (const char* policy : {"block", "allow_flagged"}) failure_policy_->Add({{"policy", policy}});
  for (const char* channel : {"email", "webhook", "host"}) {
    for (const char* outcome : {"delivered", "retry", "failed", "disabled"}) {
      deliveries_->Add({{"channel", channel}, {"outcome", outcome}});
    }
  }
  config_generation_->Set(1);

  if (!options_.listen.empty()) {
    try {
      exposer_ = std::make_unique<prometheus::Exposer>(options_.listen);
    } catch (const std::exception& e) {
      throw std::runtime_error("metrics endpoint cannot listen on " + options_.listen + ": " +
                               e.what());
    }
    exposer_->RegisterCollectable(registry_);  // the Exposer keeps only a weak_ptr
  }
}

GateMetrics::~GateMetrics() = default;

prometheus::Counter& GateMetrics::labelled(prometheus::Family<prometheus::Counter>& family,
                                           std::map<std::string, std::string> labels) {
  return family.Add(labels);
}

prometheus::Counter& GateMetrics::decisionCounter(std::size_t d, std::size_t r, std::size_t c) {
  auto& cell = decision_cells_[(d * kReasons + r) * kCategories + c];
  prometheus::Counter* counter = cell.load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &labelled(
        *decisions_,
        {{"decision", api::decisionName(static_cast<api::Decision>(d))},
         {"reason", api::reasonCode(static_cast<api::Reason>(r))},
         {"category", c < kCategoryCount ? std::string(categoryName(static_cast<Category>(c)))
                                         : std::string("invalid")}});
    cell.store(counter, std::memory_order_release);
  }
  return *counter;
}

prometheus::Counter& GateMetrics::recipientCounter(api::Decision decision) {
  auto& cell = recipient_cells_[static_cast<std::size_t>(decision)];
  prometheus::Counter* counter = cell.load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &labelled(*recipients_, {{"decision", api::decisionName(decision)}});
    cell.store(counter, std::memory_order_release);
  }
  return *counter;
}

void GateMetrics::countDecision(api::Decision decision, api::Reason reason,
                                std::optional<Category> category, std::uint32_t recipients,
                                std::uint32_t recipients_allowed) {
  const auto d = static_cast<std::size_t>(decision);
  const auto r = static_cast<std::size_t>(reason);
  const std::size_t c = category ? static_cast<std::size_t>(*category) : kCategoryCount;
  if (d >= kDecisions || r >= kReasons || c >= kCategories) return;
  decisionCounter(d, r, c).Increment();
  if (decision == api::Decision::allow_partial) {
    recipientCounter(decision).Increment(recipients_allowed);
    recipientCounter(api::Decision::block).Increment(recipients - recipients_allowed);
  } else {
    recipientCounter(decision).Increment(recipients);
  }
}

void GateMetrics::observeDecisionSeconds(double seconds) {
  decision_seconds_->Observe(seconds);
}

void GateMetrics::countMoney(std::string_view operation, std::string_view currency,
                             std::int64_t micros) {
  if (micros <= 0 || currency.empty()) return;
  labelled(*money_, {{"operation", std::string(operation)}, {"currency", std::string(currency)}})
      .Increment(static_cast<double>(micros));
}

void GateMetrics::knowCurrency(std::string_view currency) {
  if (currency.empty()) return;
  for (const char* operation : {"debit", "refund", "topup", "void"}) {
    labelled(*money_, {{"operation", operation}, {"currency", std::string(currency)}});
  }
}

void GateMetrics::countLedgerError(std::string_view kind) {
  labelled(*ledger_errors_, {{"kind", std::string(kind)}}).Increment();
}

void GateMetrics::countFailurePolicy(std::string_view policy) {
  labelled(*failure_policy_, {{"policy", std::string(policy)}}).Increment();
}

void GateMetrics::setPool(int open, int in_use, int size) {
  pool_open_->Set(open);
  pool_in_use_->Set(in_use);
  pool_size_->Set(size);
}

void GateMetrics::rateDataRefreshed(std::int64_t version, double unix_seconds) {
  rate_version_->Set(static_cast<double>(version));
  rate_refreshed_->Set(unix_seconds);
}

void GateMetrics::setConfigGeneration(std::uint64_t generation) {
  config_generation_->Set(static_cast<double>(generation));
}

void GateMetrics::countConfigReloadFailure() {
  reload_failures_->Increment();
}

void GateMetrics::countFlushFallback() {
  flush_fallbacks_->Increment();
}

void GateMetrics::countReplay() {
  replays_->Increment();
}

void GateMetrics::countGather(bool complete) {
  (complete ? gathers_complete_ : gathers_timed_out_)->Increment();
}

void GateMetrics::countDelivery(std::string_view channel, std::string_view outcome) {
  labelled(*deliveries_, {{"channel", std::string(channel)}, {"outcome", std::string(outcome)}})
      .Increment();
}

void GateMetrics::setDeliveryBacklog(std::int64_t pending, std::int64_t oldest_seconds) {
  outbox_pending_->Set(static_cast<double>(pending));
  oldest_undelivered_->Set(static_cast<double>(oldest_seconds));
}

void GateMetrics::tenantBalance(std::string_view tenant, std::string_view currency,
                                std::int64_t balance, std::optional<std::int64_t> critical) {
  if (!options_.tenant_balances) return;
  {
    // A label per tenant is unbounded: only the first max_tenants tenants get series.
    std::lock_guard lock(tenants_mutex_);
    if (tenants_seen_.find(tenant) == tenants_seen_.end()) {
      if (static_cast<int>(tenants_seen_.size()) >= options_.max_tenants) {
        balances_dropped_->Increment();
        return;
      }
      tenants_seen_.emplace(std::string(tenant), true);
    }
  }
  const std::map<std::string, std::string> labels = {{"tenant", std::string(tenant)},
                                                     {"currency", std::string(currency)}};
  tenant_balance_->Add(labels).Set(static_cast<double>(balance));
  if (critical) tenant_critical_->Add(labels).Set(static_cast<double>(*critical));
}

std::string GateMetrics::text() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

int GateMetrics::listeningPort() const {
  if (!exposer_) return 0;
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace creditgate
