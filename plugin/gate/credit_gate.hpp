// The credit gate: the plugin's implementation of the host API's CreditGate. Per batch: validate,
// price from the rate snapshot, decide and debit in one ledger round trip, answer a Verdict.
// Everything that crosses the boundary is caught here and becomes a verdict with a reason code.
// When the ledger cannot answer, the failure policy answers instead (docs/RELIABILITY.md).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "attempt_ids.hpp"
#include "config.hpp"
#include "config_watcher.hpp"
#include "creditgate/host_api.hpp"
#include "database.hpp"
#include "decisions.hpp"
#include "doubts.hpp"
#include "gate_metrics.hpp"
#include "group_commit.hpp"
#include "journal_replay.hpp"
#include "ledger_outage_log.hpp"
#include "ledger_probe.hpp"
#include "ledger_statements.hpp"
#include "ledger_watch.hpp"
#include "outbox.hpp"
#include "outbox_relay.hpp"
#include "rate_data_source.hpp"
#include "rate_refresher.hpp"
#include "reliability_metrics.hpp"
#include "settlements.hpp"
#include "tenant_accounts.hpp"
#include "tenant_directory.hpp"
#include "tenant_profiles.hpp"

namespace creditgate {

class PricingUnavailable;  // the ledger could not tell what a batch needs to be priced

// What a gate is for. A quote-only gate (creditctl quote) never listens, relays, journals or
// watches: it can run beside a gateway on the same config without touching its port or journal.
enum class GateRole { gateway, quote_only };

class CreditGatePlugin final : public api::CreditGate {
 public:
  // Null with `error` set when the config file is missing or invalid, or the journal cannot be
  // used.
  static std::unique_ptr<api::CreditGate> create(const api::PluginContext& context,
                                                 std::string& error,
                                                 GateRole role = GateRole::gateway);
  ~CreditGatePlugin() override = default;

  api::Verdict decide(const api::Batch& batch) noexcept override;
  api::Quote quote(const api::Batch& batch) noexcept override;
  api::Settlement report(const api::OutcomeReport& outcomes) noexcept override;
  api::ReloadResult reload() noexcept override;
  std::string metricsText() noexcept override;
  api::AccountBalance balance(std::string_view tenant_id) noexcept override;
  api::Readiness readiness() noexcept override;
  api::TenantPolicy tenantPolicy(std::string_view tenant_id) noexcept override;

  // For tests: poll the rate data now instead of waiting for the refresh interval.
  bool refreshRatesNow() { return rates_.refreshNow(); }
  // For tests: replays the journal now; how many entries the ledger took.
  int replayJournalNow() { return journal_ ? journal_->replayNow() : 0; }
  // For tests: resolves the decisions in doubt whose grace period has passed, now.
  int resolveDoubtsNow() { return journal_ ? journal_->resolveDoubtsNow() : 0; }
  // For tests: one relay round now; 0 when this instance does not relay.
  int relayNotificationsNow() { return relay_ ? relay_->deliverDue() : 0; }
  // The metrics endpoint's port (0: none), e.g. when metrics.listen asked for port 0.
  int metricsPort() const { return metrics_->listeningPort(); }

 private:
  CreditGatePlugin(api::HostServices& services, std::string config_path, Config config,
                   GateRole role);

  struct Priced;  // a validated, priced batch, or why not
  static DecisionRequest decisionRequest(const api::Batch& batch, const Priced& priced,
                                         const EffectivePolicy& policy, const LiveSettings& live);
  Priced validateAndPrice(const api::Batch& batch, const LiveSettings& live,
                          Database::Deadline deadline);
  api::Verdict decideOrThrow(const api::Batch& batch, const LiveSettings& live);
  api::Verdict answerWithoutLedger(const DecisionRequest& request, const Priced& priced,
                                   const LedgerError& error, const LiveSettings& live);
  api::Verdict allowDuringOutage(const DecisionRequest& request, const Priced& priced,
                                 const LedgerError& error, const LiveSettings& live);
  api::Verdict pricingFailed(const PricingUnavailable& error);
  template <typename Answer, typename Work>
  Answer answerOrRefusal(const char* call, Work&& work) noexcept;
  api::Quote quoteOrThrow(const api::Batch& batch);
  api::Settlement reportOrThrow(const api::OutcomeReport& outcomes);
  api::AccountBalance balanceOrThrow(std::string_view tenant_id);
  // What reload() changes: the live settings together with their generation, swapped as one, so
  // a reader never pairs one generation's number with another's settings.
  struct InForce {
    LiveSettings live;
    std::uint64_t generation = 1;
  };
  std::shared_ptr<const LiveSettings> liveSettings() const;  // of in_force_ now
  api::Settlement settleWithoutLedger(const api::OutcomeReport& outcomes,
                                      std::span<const std::string_view> recipients,
                                      std::span<const bool> delivered, const LedgerError& error);
  Database::Deadline deadline() const;  // of a call made now: statement_timeout_ms
  void countVerdict(const api::Batch& batch, const api::Verdict& verdict, const LiveSettings& live,
                    double seconds);
  void flushFellBack(std::size_t batches, const std::string& why);
  std::unique_ptr<OutboxRelay> makeRelay();
  std::unique_ptr<JournalReplay> makeJournal();
  static std::unique_ptr<GateMetrics> makeMetrics(const StartupSettings& startup,
                                                  api::HostServices& services, GateRole role);

  api::HostServices& services_;
  const GateRole role_;
  const std::string config_path_;
  const StartupSettings startup_;                          // fixed for the gate's life
  std::atomic<std::shared_ptr<const InForce>> in_force_;   // what reload() changes
  std::mutex reload_mutex_;  // one reload at a time: generations follow the order of the swaps
  std::unique_ptr<GateMetrics> metrics_;  // before the parts below: they all report to it
  ReliabilityMetrics reliability_;
  LedgerOutageLog outage_log_;
  AttemptIds attempts_;
  Database database_;
  Decisions decisions_;
  Settlements settlements_;
  TenantProfiles tenant_profiles_;
  TenantAccounts tenant_accounts_;
  RateDataSource rate_data_;
  Outbox outbox_;
  Doubts doubts_;
  std::unique_ptr<GroupCommit> group_commit_;  // null: one transaction per decision
  // Before the journal: its first query (the rate data) runs on the constructing thread before the
  // replay thread exists. libpqxx fills function-local statics at a process's first query, and
  // ThreadSanitizer cannot see the guard of uninstrumented code, so a second thread querying during
  // that first fill is reported as a race (sample gateway tests under TSan, about one run in two).
  RateRefresher rates_;
  LedgerProbe ledger_probe_;  // readiness(); its thread starts after the first query (above)
  std::unique_ptr<JournalReplay> journal_;  // null only in a quote-only gate
  TenantDirectory tenants_;
  std::unique_ptr<OutboxRelay> relay_;             // null when notifications.relay.enabled is false
  std::unique_ptr<LedgerWatch> watch_;             // null in a quote-only gate
  std::unique_ptr<ConfigWatcher> config_watcher_;  // last: it calls reload(), which uses the above
};

}  // namespace creditgate
