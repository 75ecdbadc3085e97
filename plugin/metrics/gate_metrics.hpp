// Every metric of the plugin in one place (metrics/METRICS.md is the reference), built once with
// prometheus-cpp; the hot path only touches cached Counter/Histogram references. Served on
// metrics.listen (loopback by default) and as text for a host that serves its own /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "category.hpp"
#include "creditgate/host_api.hpp"

namespace prometheus {
class Counter;
class Exposer;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace creditgate {

struct MetricsOptions {
  std::string listen = "127.0.0.1:9464";  // "" = no endpoint (text through the host API only)
  bool tenant_balances = false;           // per-tenant balance gauges...
  int max_tenants = 1000;                 // ...for at most this many tenants
};

class GateMetrics {
 public:
  // Throws std::runtime_error (naming the address) when the endpoint cannot listen.
  explicit GateMetrics(const MetricsOptions& options);
  ~GateMetrics();
  GateMetrics(const GateMetrics&) = delete;
  GateMetrics& operator=(const GateMetrics&) = delete;

  void countDecision(api::Decision decision, api::Reason reason, std::optional<Category> category,
                     std::uint32_t recipients, std::uint32_t recipients_allowed);
  void observeDecisionSeconds(double seconds);
  void countMoney(std::string_view operation, std::string_view currency, std::int64_t micros);
  // Creates the money series (debit, refund, topup) of `currency` at 0 unless they exist, so that
  // rate() and increase() see the first movement in it. Called with the currency of every card of
  // each rate snapshot swapped in; the series stay when a card goes (a counter is never dropped).
  void knowCurrency(std::string_view currency);
  void countLedgerError(std::string_view kind);
  void countFailurePolicy(std::string_view policy);
  void setPool(int open, int in_use, int size);
  void rateDataRefreshed(std::int64_t version, double unix_seconds);
  void setConfigGeneration(std::uint64_t generation);
  void countConfigReloadFailure();
  // A flush the ledger could not take whole was decided one batch at a time (slower; sql/015).
  void countFlushFallback();
  // A retried batch answered with its original verdict (replayed): not a decision of its own.
  void countReplay();
  // A free flusher waited for the callers of the last flush (group_commit.gather_us): all came back
  // (`complete`) or the wait ran out.
  void countGather(bool complete);
  // One attempt to deliver an event to a channel (email, webhook, host): delivered, retry, failed
  // (refused for good, or the retry period ended) or disabled (a webhook answered 410).
  void countDelivery(std::string_view channel, std::string_view outcome);
  // Deliveries still to make, and how long the oldest has waited (the ledger's, every instance).
  void setDeliveryBacklog(std::int64_t pending, std::int64_t oldest_seconds);
  void tenantBalance(std::string_view tenant, std::string_view currency, std::int64_t balance,
                     std::optional<std::int64_t> critical_threshold);

  std::string text() const;  // Prometheus text exposition
  // For metrics defined elsewhere (reliability_metrics.hpp): served and exposed with these.
  prometheus::Registry& registry() { return *registry_; }
  int listeningPort() const;  // 0 without an endpoint

 private:
  prometheus::Counter& labelled(prometheus::Family<prometheus::Counter>& family,
                                std::map<std::string, std::string> labels);
  // The cached cell of creditgate_decisions_total{decision, reason, category}; c == kCategoryCount
  // is category "invalid". Indices must be in range.
  prometheus::Counter& decisionCounter(std::size_t d, std::size_t r, std::size_t c);
  prometheus::Counter& recipientCounter(api::Decision decision);

  MetricsOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;

  static constexpr std::size_t kDecisions = 4;
  static constexpr std::size_t kReasons = static_cast<std::size_t>(api::kLastReason) + 1;
  static constexpr std::size_t kCategories = kCategoryCount + 1;  // + "invalid"
  prometheus::Family<prometheus::Counter>* decisions_;
  prometheus::Family<prometheus::Counter>* recipients_;
  prometheus::Family<prometheus::Counter>* money_;
  prometheus::Family<prometheus::Counter>* ledger_errors_;
  prometheus::Family<prometheus::Counter>* failure_policy_;
  prometheus::Family<prometheus::Counter>* deliveries_;
  prometheus::Family<prometheus::Gauge>* tenant_balance_;
  prometheus::Family<prometheus::Gauge>* tenant_critical_;
  // Filled at construction for every combination a verdict can carry (so each series is exported
  // at 0 before its first decision), else on first use (prometheus-cpp's Add() is thread-safe; the
  // pointer store is atomic).
  std::array<std::atomic<prometheus::Counter*>, kDecisions * kReasons * kCategories>
      decision_cells_{};
  std::array<std::atomic<prometheus::Counter*>, kDecisions> recipient_cells_{};
  prometheus::Histogram* decision_seconds_;
  prometheus::Gauge* pool_open_;
  prometheus::Gauge* pool_in_use_;
  prometheus::Gauge* pool_size_;
  prometheus::Gauge* rate_refreshed_;
  prometheus::Gauge* rate_version_;
  prometheus::Gauge* oldest_undelivered_;
  prometheus::Gauge* config_generation_;
  prometheus::Counter* reload_failures_;
  prometheus::Counter* flush_fallbacks_;
  prometheus::Counter* replays_;
  prometheus::Counter* gathers_complete_;
  prometheus::Counter* gathers_timed_out_;
  prometheus::Gauge* outbox_pending_;
  prometheus::Counter* balances_dropped_;
  std::mutex tenants_mutex_;  // guards the tenant cap
  std::map<std::string, bool, std::less<>> tenants_seen_;
};

}  // namespace creditgate
