// The credit gate: the plugin's implementation of the host API's CreditGate. Per batch: validate,
// price from the rate snapshot, decide and debit in one ledger round trip, answer a Verdict.
// Everything that crosses the boundary is caught here and becomes a verdict with a reason code.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "config.hpp"
#include "creditgate/host_api.hpp"
#include "config_watcher.hpp"
#include "gate_metrics.hpp"
#include "group_commit.hpp"
#include "ledger.hpp"
#include "ledger_watch.hpp"
#include "outage_policy.hpp"
#include "outbox_relay.hpp"
#include "rate_refresher.hpp"
#include "tenant_directory.hpp"

namespace creditgate {

class CreditGatePlugin final : public api::CreditGate {
 public:
  // Null with `error` set when the config file is missing or invalid.
  static std::unique_ptr<api::CreditGate> create(const api::PluginContext& context,
                                                 std::string& error);
  ~CreditGatePlugin() override = default;

  api::Verdict decide(const api::Batch& batch) noexcept override;
  api::Quote quote(const api::Batch& batch) noexcept override;
  api::Settlement report(const api::OutcomeReport& outcomes) noexcept override;
  api::ReloadResult reload() noexcept override;
  std::string metricsText() noexcept override;

  // For tests: poll the rate data now instead of waiting for the refresh interval.
  bool refreshRatesNow() { return rates_.refreshNow(); }
  // For tests: replays the outage journal now; how many batches the ledger took.
  int replayJournalNow() { return outage_ ? outage_->replayNow() : 0; }
  // For tests: one relay round now; 0 when this instance does not relay.
  int relayNotificationsNow() { return relay_ ? relay_->deliverDue() : 0; }
  // The metrics endpoint's port (0: none), e.g. when metrics.listen asked for port 0.
  int metricsPort() const { return metrics_->listeningPort(); }

 private:
  CreditGatePlugin(api::HostServices& services, std::string config_path,
                   std::shared_ptr<const Config> config);

  struct Priced;  // a validated, priced batch, or why not
  static DecisionRequest decisionRequest(const api::Batch& batch, const Priced& priced,
                                         const EffectivePolicy& policy, const Config& config);
  Priced validateAndPrice(const api::Batch& batch, const Config& config, Ledger::Deadline deadline);
  api::Verdict decideOrThrow(const api::Batch& batch, const Config& config);
  api::Verdict allowDuringOutage(const DecisionRequest& request, const Priced& priced,
                                 const LedgerError& error, const Config& config);
  template <typename Answer, typename Work>
  Answer answerOrRefusal(const char* call, Work&& work) noexcept;
  api::Quote quoteOrThrow(const api::Batch& batch);
  api::Settlement reportOrThrow(const api::OutcomeReport& outcomes);
  Ledger::Deadline deadlineFor(const Config& config) const;
  api::Reason reasonFor(const LedgerError& error);
  void countVerdict(const api::Batch& batch, const api::Verdict& verdict, const Config& config,
                    double seconds);
  std::unique_ptr<OutboxRelay> makeRelay(const Config& config);
  static std::unique_ptr<GateMetrics> makeMetrics(const Config& config, api::HostServices& services);

  api::HostServices& services_;
  const std::string config_path_;
  std::atomic<std::shared_ptr<const Config>> config_;
  std::atomic<std::uint64_t> config_generation_{1};
  std::unique_ptr<GateMetrics> metrics_;  // before the parts below: they all report to it
  Ledger ledger_;
  std::unique_ptr<GroupCommit> group_commit_;  // null: one transaction per decision
  std::unique_ptr<OutagePolicy> outage_;       // null: no failure.journal_path configured
  RateRefresher rates_;
  TenantDirectory tenants_;
  std::unique_ptr<OutboxRelay> relay_;  // null when notifications.relay.enabled is false
  LedgerWatch watch_;
  ConfigWatcher config_watcher_;  // last: it calls reload(), which uses everything above
};

}  // namespace creditgate
