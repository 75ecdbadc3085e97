#include "credit_gate.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "batch_validation.hpp"
#include "decimal_micros.hpp"
#include "delivery_settings.hpp"
#include "quoted_text.hpp"
#include "tenant_id.hpp"
#include "tenant_policy.hpp"

namespace creditgate {
namespace {

// How often the config file is looked at: a changed policy is in force within a second.
constexpr std::chrono::milliseconds kConfigWatchInterval{250};

template <std::size_t N>
void copyText(char (&out)[N], std::string_view text) {
  const std::size_t n = std::min(text.size(), N - 1);
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

api::Verdict blockVerdict(api::Reason reason, std::string_view detail) {
  api::Verdict verdict;
  verdict.decision = api::Decision::block;
  verdict.reason = reason;
  copyText(verdict.detail, detail);
  return verdict;
}

std::string_view policyText(InsufficientCreditPolicy policy) {
  return policyName(policy);
}

std::string graceText(const LiveSettings& live) {
  return std::to_string(live.in_doubt_grace_ms / 1000) + " s";
}

// The reason of a block because the ledger could not answer (not in doubt).
api::Reason unavailableReason(const LedgerError& error) {
  return error.kind() == LedgerError::Kind::timeout ? api::Reason::ledger_timeout
                                                    : api::Reason::ledger_unavailable;
}

// Why, for a host: the kind in words and the safe cause; never driver or SQL text.
std::string unavailableText(const LedgerError& error) {
  return error.kind() == LedgerError::Kind::timeout
             ? "the ledger did not answer in time (" + error.cause() + ")"
             : "the ledger is unavailable (" + error.cause() + ")";
}

constexpr const char* kInternalErrorDetail = "internal error; see the gateway log";

// The ledger pool's options. Its connect-time warnings (prepared statements off and the login role
// without statement_timeout or lock_timeout) go to the host's log.
PoolOptions ledgerPoolOptions(const StartupSettings& startup, api::HostServices& services) {
  PoolOptions options;
  options.dsn = startup.database_dsn;
  options.size = startup.pool_size;
  options.statement_timeout_ms = startup.statement_timeout_ms;
  options.connect_timeout_s = startup.connect_timeout_s;
  options.prepared_statements = startup.prepared_statements;
  options.warn = [&services](const std::string& what) {
    services.log(api::LogLevel::error, "creditgate: " + what);
  };
  return options;
}

}  // namespace

// The ledger could not tell what a batch needs to be priced: the rate data (never loaded) or the
// tenant's profile (never seen). Whatever the failure policy, there is no price to allow it at.
class PricingUnavailable : public LedgerError {
 public:
  PricingUnavailable(const LedgerError& error, std::string missing)
      : LedgerError(error.kind(), error.cause(), error.what()), missing_(std::move(missing)) {}
  const std::string& missing() const noexcept { return missing_; }

 private:
  std::string missing_;
};

// A batch that passed validation and pricing (reason ok), or the block reason why not.
struct CreditGatePlugin::Priced {
  api::Reason reason = api::Reason::ok;
  std::string detail;
  Category category = Category::marketing;
  std::string currency;
  PricedBatch price;
  std::shared_ptr<const RateSnapshot> snapshot;  // keeps the market names of `price` alive
  bool confirmed = true;  // false: the tenant profile or the rates are the last known, unconfirmed
};

// What the ledger needs to decide (or quote) a validated, priced batch: its own copy of it.
DecisionRequest CreditGatePlugin::decisionRequest(const api::Batch& batch, const Priced& priced,
                                                  const EffectivePolicy& policy,
                                                  const LiveSettings& live) {
  const AlertThresholds alerts = live.alertsFor(batch.tenant_id);
  DecisionRequest request;
  request.tenant_id = batch.tenant_id;
  request.batch_id = batch.batch_id;
  request.campaign_id = batch.campaign_id;
  request.template_name = batch.template_name;
  request.category = categoryName(priced.category);
  request.recipients.assign(batch.recipients.begin(), batch.recipients.end());
  request.unit_prices_micros = priced.price.unit_prices;
  request.currency = priced.currency;
  request.policy = policyText(policy.on_insufficient_credit);
  request.overdraft_limit_micros = policy.overdraft_limit_micros;
  request.rate_card_id = priced.price.card_id;
  request.warning_micros = alerts.warning_micros;
  request.critical_micros = alerts.critical_micros;
  request.notify_interval_ms = live.notify_min_interval_ms;
  return request;
}

std::unique_ptr<api::CreditGate> CreditGatePlugin::create(const api::PluginContext& context,
                                                          std::string& error, GateRole role) {
  if (context.struct_size < sizeof(api::PluginContext) || context.services == nullptr) {
    error = "creditgate: the host passed an incomplete PluginContext";
    return nullptr;
  }
  auto loaded = loadConfigFile(std::string(context.config_path));
  if (auto* problem = std::get_if<ConfigError>(&loaded)) {
    error = "creditgate: config " + std::string(context.config_path) + ": " + problem->toString();
    return nullptr;
  }
  try {
    return std::unique_ptr<api::CreditGate>(
        new CreditGatePlugin(*context.services, std::string(context.config_path),
                             std::move(std::get<Config>(loaded)), role));
  } catch (const std::exception& e) {  // e.g. the journal is locked by another gateway process
    error = std::string("creditgate: cannot start: ") + e.what();
    return nullptr;
  }
}

CreditGatePlugin::CreditGatePlugin(api::HostServices& services, std::string config_path,
                                   Config config, GateRole role)
    : services_(services),
      role_(role),
      config_path_(std::move(config_path)),
      startup_(std::move(config.startup)),
      in_force_(std::make_shared<const InForce>(InForce{std::move(config.live), 1})),
      metrics_(makeMetrics(startup_, services, role)),
      reliability_(metrics_->registry()),
      outage_log_(services, *metrics_, reliability_),
      database_(ledgerPoolOptions(startup_, services), ledgerStatements(), &outage_log_),
      decisions_(database_),
      settlements_(database_),
      tenant_profiles_(database_),
      tenant_accounts_(database_),
      rate_data_(database_),
      outbox_(database_),
      doubts_(database_),
      // Flushers leave one connection to quotes, reports and the background work.
      group_commit_(startup_.group_commit && role == GateRole::gateway
                        ? std::make_unique<GroupCommit>(
                              decisions_, std::max(1, startup_.pool_size - 1),
                              startup_.group_commit_max_batches,
                              std::chrono::microseconds(startup_.group_commit_gather_us),
                              [this](std::size_t batches, const std::string& why) {
                                flushFellBack(batches, why);
                              },
                              [this](bool complete) { metrics_->countGather(complete); })
                        : nullptr),
      rates_(rate_data_, services, *metrics_, std::chrono::milliseconds(startup_.rates_refresh_ms),
             std::chrono::milliseconds(startup_.statement_timeout_ms)),
      ledger_probe_(rate_data_),
      journal_(role == GateRole::gateway ? makeJournal() : nullptr),
      tenants_(tenant_profiles_, std::chrono::milliseconds(startup_.rates_refresh_ms),
               std::chrono::milliseconds(startup_.statement_timeout_ms)),
      relay_(startup_.relay_enabled && role == GateRole::gateway ? makeRelay() : nullptr),
      watch_(role == GateRole::gateway
                 ? std::make_unique<LedgerWatch>(
                       database_, outbox_, *metrics_,
                       std::chrono::milliseconds(startup_.rates_refresh_ms),
                       std::chrono::milliseconds(startup_.statement_timeout_ms))
                 : nullptr),
      config_watcher_(role == GateRole::gateway
                          ? std::make_unique<ConfigWatcher>(config_path_, kConfigWatchInterval,
                                                            [this] { reload(); })
                          : nullptr) {
  if (const int port = metrics_->listeningPort(); port != 0) {
    services_.log(api::LogLevel::info,
                  "creditgate: metrics at http://" +
                      startup_.metrics_listen.substr(0, startup_.metrics_listen.rfind(':')) + ":" +
                      std::to_string(port) + "/metrics");
  }
  if (journal_ && !journal_->durable()) {
    services_.log(api::LogLevel::warning,
                  "creditgate: failure.journal_path is not set: decisions whose answer is lost "
                  "are remembered in memory only (a crash of this process before the ledger "
                  "answers again can leave such a debit in place), reports the ledger cannot take "
                  "are refused for the host to re-send, and on_ledger_unavailable cannot be "
                  "allow_flagged. Set it in production.");
  }
}

std::unique_ptr<JournalReplay> CreditGatePlugin::makeJournal() {
  JournalReplay::Options options;
  options.journal_path = startup_.journal_path;
  options.interval = std::chrono::milliseconds(startup_.journal_replay_ms);
  options.deadline = std::chrono::milliseconds(startup_.statement_timeout_ms);
  options.in_doubt_grace_ms = [this] { return in_force_.load()->live.in_doubt_grace_ms; };
  return std::make_unique<JournalReplay>(JournalReplay::Ledger{decisions_, settlements_, doubts_},
                                         services_, *metrics_, reliability_, outage_log_,
                                         std::move(options));
}

std::unique_ptr<OutboxRelay> CreditGatePlugin::makeRelay() {
  RelayOptions options;
  options.poll = std::chrono::milliseconds(startup_.relay_poll_ms);
  options.batch_size = startup_.relay_batch_size;
  options.concurrency = startup_.relay_concurrency;
  options.max_backoff = std::chrono::milliseconds(startup_.relay_max_backoff_ms);
  options.retry_period = std::chrono::seconds(startup_.relay_retry_period_s);
  options.deadline = std::chrono::milliseconds(startup_.statement_timeout_ms);
  options.delivery = deliverySettings(startup_);
  return std::make_unique<OutboxRelay>(outbox_, services_, *metrics_, std::move(options));
}

// A flush the ledger could not take whole went one batch at a time: every batch still got its own
// verdict, but a fast path that keeps failing is a slowdown an SRE must see (metric, alert, log).
void CreditGatePlugin::flushFellBack(std::size_t batches, const std::string& why) {
  metrics_->countFlushFallback();
  outage_log_.flushFellBack(batches, why);
}

// A metrics port in use must not keep the gateway from deciding: log it and serve the text
// through the host API only. A quote-only gate never listens.
std::unique_ptr<GateMetrics> CreditGatePlugin::makeMetrics(const StartupSettings& startup,
                                                           api::HostServices& services,
                                                           GateRole role) {
  MetricsOptions options{role == GateRole::gateway ? startup.metrics_listen : std::string(),
                         startup.metrics_tenant_balances, startup.metrics_max_tenants};
  try {
    return std::make_unique<GateMetrics>(options);
  } catch (const std::exception& e) {
    services.log(api::LogLevel::error, std::string("creditgate: ") + e.what() +
                                           "; metrics are served through the host API only");
    options.listen.clear();
    return std::make_unique<GateMetrics>(options);
  }
}

std::shared_ptr<const LiveSettings> CreditGatePlugin::liveSettings() const {
  std::shared_ptr<const InForce> in_force = in_force_.load();
  const LiveSettings* live = &in_force->live;
  return std::shared_ptr<const LiveSettings>(std::move(in_force), live);  // shares its ownership
}

Database::Deadline CreditGatePlugin::deadline() const {
  return Database::Clock::now() + std::chrono::milliseconds(startup_.statement_timeout_ms);
}

CreditGatePlugin::Priced CreditGatePlugin::validateAndPrice(const api::Batch& batch,
                                                            const LiveSettings& live,
                                                            Database::Deadline deadline) {
  Priced out;
  if (auto problem = findBatchProblem(batch, live.max_batch_recipients, out.category)) {
    out.reason = problem->reason;
    out.detail = std::move(problem->detail);
    return out;
  }
  out.snapshot = rates_.current();
  if (!out.snapshot) {  // never loaded: the ledger has not answered since the start
    const std::string cause = rates_.failureCause();
    throw PricingUnavailable(
        LedgerError(LedgerError::Kind::unavailable, cause, "no rate data loaded yet: " + cause),
        "no rate data could be loaded yet");
  }
  std::optional<TenantDirectory::Found> found;
  try {
    found = tenants_.profile(batch.tenant_id, deadline);
  } catch (const LedgerError& e) {
    throw PricingUnavailable(e, "the tenant's pricing profile could not be read");
  }
  if (!found) {
    out.reason = api::Reason::unknown_tenant;
    out.detail = unknownTenantDetail(batch.tenant_id);
    return out;
  }
  const TenantProfile& tenant = found->profile;
  out.confirmed = found->confirmed && rates_.confirmed();
  out.currency = tenant.currency;
  const PricingOptions options{
      .auth_international_eligible = tenant.auth_international_eligible,
      .home_market = tenant.home_market ? std::string_view(*tenant.home_market) : "",
      .price_missing_as_fallback = live.on_missing_rate == MissingRatePolicy::price_as_other};
  out.price = out.snapshot->price(out.currency, out.category, batch.recipients, options);
  if (out.price.reason == api::Reason::currency_mismatch) {
    // No card in force for the tenant's currency: nothing can be priced.
    out.reason = api::Reason::rate_not_found;
    out.detail = "no rate card in force for currency " + out.currency;
  } else {
    out.reason = out.price.reason;
    out.detail = out.price.detail;
  }
  return out;
}

api::Verdict CreditGatePlugin::decide(const api::Batch& batch) noexcept {
  const auto started = std::chrono::steady_clock::now();
  api::Verdict verdict;
  // One config for the whole decision, its metrics included, even if an edit lands meanwhile.
  const std::shared_ptr<const LiveSettings> live = liveSettings();
  try {
    verdict = decideOrThrow(batch, *live);
  } catch (const PricingUnavailable& e) {
    verdict = pricingFailed(e);
  } catch (const std::exception& e) {
    services_.log(api::LogLevel::error, std::string("creditgate: decide failed: ") + e.what());
    verdict = blockVerdict(api::Reason::internal_error, kInternalErrorDetail);
  } catch (...) {
    services_.log(api::LogLevel::error, "creditgate: decide failed with an unknown exception");
    verdict = blockVerdict(api::Reason::internal_error, kInternalErrorDetail);
  }
  try {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    countVerdict(batch, verdict, *live, took.count());
  } catch (...) {
    // Metrics never change a verdict.
  }
  return verdict;
}

// The batch cannot be priced because the ledger cannot answer: blocked, whatever the failure
// policy, and counted and logged as every decision the ledger's absence decided.
api::Verdict CreditGatePlugin::pricingFailed(const PricingUnavailable& error) {
  outage_log_.answeredWithoutLedger(error, LedgerOutageLog::Answer::blocked);
  if (error.kind() == LedgerError::Kind::rejected) {
    return blockVerdict(api::Reason::internal_error, kInternalErrorDetail);
  }
  metrics_->countFailurePolicy("block");
  return blockVerdict(unavailableReason(error),
                      unavailableText(error) + ": " + error.missing() + "; nothing was debited");
}

void CreditGatePlugin::countVerdict(const api::Batch& batch, const api::Verdict& verdict,
                                    const LiveSettings& live, double seconds) {
  metrics_->observeDecisionSeconds(seconds);
  // A retry answered with its original verdict was counted when it was decided: counted again, the
  // verdicts and recipients would grow with every gateway retry.
  if (verdict.replayed) {
    metrics_->countReplay();
  } else {
    metrics_->countDecision(verdict.decision, verdict.reason, parseCategory(batch.category),
                            static_cast<std::uint32_t>(batch.recipients.size()),
                            verdict.recipients_allowed);
  }
  // An outage decision is not debited yet: its replay counts it, when the ledger takes it.
  const bool journaled = verdict.reason == api::Reason::ledger_unavailable;
  if (verdict.decision != api::Decision::block && !verdict.replayed && !journaled) {
    metrics_->countMoney("debit", verdict.currency, verdict.charged_micros);
  }
  if (verdict.balance_known && verdict.currency[0] != '\0') {
    metrics_->tenantBalance(batch.tenant_id, verdict.currency, verdict.balance_after_micros,
                            live.alertsFor(batch.tenant_id).critical_micros);
  }
}

api::Verdict CreditGatePlugin::decideOrThrow(const api::Batch& batch, const LiveSettings& live) {
  const Database::Deadline deadline = this->deadline();
  Priced priced = validateAndPrice(batch, live, deadline);
  if (priced.reason != api::Reason::ok) {
    api::Verdict verdict = blockVerdict(priced.reason, priced.detail);
    copyText(verdict.currency, priced.currency);
    return verdict;
  }
  const EffectivePolicy policy = live.policyFor(batch.tenant_id, priced.category);
  auto request = std::make_shared<DecisionRequest>(decisionRequest(batch, priced, policy, live));
  request->attempt_id = attempts_.next();
  LedgerDecision decided;
  try {
    decided = group_commit_ ? group_commit_->decide(request, deadline)
                            : decisions_.decide(*request, deadline);
  } catch (const LedgerError& e) {
    return answerWithoutLedger(*request, priced, e, live);
  }

  api::Verdict verdict;
  verdict.decision = decided.decision;
  verdict.reason = decided.reason;
  verdict.replayed = decided.replayed;
  verdict.recipients_allowed = decided.recipients_allowed;
  verdict.charged_micros = decided.charged_micros;
  verdict.balance_known = decided.balance_after_micros.has_value();
  verdict.balance_after_micros = decided.balance_after_micros.value_or(0);
  copyText(verdict.currency, decided.currency);
  std::string detail;
  switch (decided.reason) {
    case api::Reason::ok: break;
    case api::Reason::overdraft:
      detail = "debited into the overdraft (limit " + formatMicros(policy.overdraft_limit_micros) +
               " " + decided.currency + "); batch flagged";
      break;
    case api::Reason::partial_credit:
      detail = "credit covers the first " + std::to_string(decided.recipients_allowed) + " of " +
               std::to_string(batch.recipients.size()) + " recipients; the rest are held";
      break;
    case api::Reason::batch_conflict:
      detail = "batch_id " + quotedText(batch.batch_id) + " was already used for different content";
      break;
    case api::Reason::insufficient_credit:
    case api::Reason::overdraft_limit_exceeded:
      detail = "price " + formatMicros(priced.price.total_micros) + " " + decided.currency +
               ", balance " + formatMicros(verdict.balance_after_micros) + " " + decided.currency;
      break;
    case api::Reason::unknown_tenant: detail = unknownTenantDetail(batch.tenant_id); break;
    default: break;
  }
  if (decided.replayed)
    detail =
        "replay of an earlier decision; no money moved" + (detail.empty() ? "" : "; " + detail);
  copyText(verdict.detail, detail);
  return verdict;
}

// The ledger did not answer this decision. Refused by it: a bug, internal_error. Otherwise the
// failure policy answers: allow_flagged (journaled, within the tenant's outage cap), or block; and
// a decision whose request may have reached the ledger is in doubt, never a plain block: the host
// is told to retry with the same batch_id, and the lost attempt is journaled, so that a debit no
// host was told of is voided after the grace period (JournalReplay).
api::Verdict CreditGatePlugin::answerWithoutLedger(const DecisionRequest& request,
                                                   const Priced& priced, const LedgerError& error,
                                                   const LiveSettings& live) {
  if (error.kind() == LedgerError::Kind::rejected) {
    outage_log_.answeredWithoutLedger(error, LedgerOutageLog::Answer::blocked);
    api::Verdict verdict = blockVerdict(api::Reason::internal_error, kInternalErrorDetail);
    copyText(verdict.currency, priced.currency);
    return verdict;
  }
  std::string capped;  // why allow_flagged could not apply
  if (live.on_ledger_unavailable == LedgerUnavailablePolicy::allow_flagged && journal_ &&
      journal_->durable()) {
    try {
      if (journal_->journalDecision(request, priced.price.total_micros,
                                    live.ledger_unavailable_cap_micros)) {
        return allowDuringOutage(request, priced, error, live);
      }
      capped = "; this tenant's outage allowance (policy.ledger_unavailable_cap " +
               formatMicros(live.ledger_unavailable_cap_micros) + " " + priced.currency +
               ") is used up";
    } catch (const std::exception& e) {
      services_.log(api::LogLevel::error,
                    std::string("creditgate: cannot journal an outage decision: ") + e.what());
      capped = "; the outage journal cannot be written";
    }
  }
  metrics_->countFailurePolicy("block");
  api::Verdict verdict;
  if (error.kind() == LedgerError::Kind::in_doubt) {
    try {
      if (journal_) journal_->journalDoubt(request.tenant_id, request.batch_id, request.attempt_id);
    } catch (const std::exception& e) {
      services_.log(api::LogLevel::error,
                    "creditgate: cannot journal the decision in doubt of "
                    "batch " +
                        quotedText(request.batch_id) + ": " + e.what());
    }
    outage_log_.answeredWithoutLedger(error, LedgerOutageLog::Answer::in_doubt);
    verdict = blockVerdict(api::Reason::ledger_in_doubt,
                           "the ledger may have recorded this batch (" + error.cause() +
                               "); do not send it yet: retry with the same batch_id for its "
                               "verdict; unretried, a debit is voided after " +
                               graceText(live));
  } else {
    outage_log_.answeredWithoutLedger(error, LedgerOutageLog::Answer::blocked);
    verdict = blockVerdict(unavailableReason(error),
                           unavailableText(error) + "; nothing was debited" + capped);
  }
  copyText(verdict.currency, priced.currency);
  return verdict;
}

// The failure policy allow_flagged, once the batch is journaled (fsync): allowed, flagged; debited
// with its batch_id on replay.
api::Verdict CreditGatePlugin::allowDuringOutage(const DecisionRequest& request,
                                                 const Priced& priced, const LedgerError& error,
                                                 const LiveSettings&) {
  metrics_->countFailurePolicy("allow_flagged");
  outage_log_.answeredWithoutLedger(error, LedgerOutageLog::Answer::allowed_flagged);
  if (!priced.confirmed) reliability_.countStalePricing();
  api::Verdict verdict;
  verdict.decision = api::Decision::allow_flagged;
  verdict.reason = api::Reason::ledger_unavailable;
  verdict.recipients_allowed = static_cast<std::uint32_t>(request.recipients.size());
  verdict.charged_micros = priced.price.total_micros;
  copyText(verdict.currency, priced.currency);
  copyText(verdict.detail,
           unavailableText(error) +
               ": sent unverified by policy.on_ledger_unavailable; journaled "
               "and debited with this batch_id when it answers again" +
               (priced.confirmed ? "" : "; priced from the tenant profile and rates last loaded"));
  return verdict;
}

// quote() and report(): the answer, or when it threw, a refusal of the same type: a default
// `Answer` (decision block / ok false) with the reason and the detail; a ledger failure is logged
// and counted as every one is.
template <typename Answer, typename Work>
Answer CreditGatePlugin::answerOrRefusal(const char* call, Work&& work) noexcept {
  Answer refusal;
  try {
    return work();
  } catch (const LedgerError& e) {
    if (e.kind() == LedgerError::Kind::rejected) {
      services_.log(api::LogLevel::error,
                    std::string("creditgate: ") + call + " failed: " + e.what());
      refusal.reason = api::Reason::internal_error;
      copyText(refusal.detail, kInternalErrorDetail);
    } else {
      refusal.reason = e.kind() == LedgerError::Kind::in_doubt ? api::Reason::ledger_in_doubt
                                                               : unavailableReason(e);
      copyText(refusal.detail, unavailableText(e));
    }
  } catch (const std::exception& e) {
    services_.log(api::LogLevel::error,
                  std::string("creditgate: ") + call + " failed: " + e.what());
    refusal.reason = api::Reason::internal_error;
    copyText(refusal.detail, kInternalErrorDetail);
  } catch (...) {
    refusal.reason = api::Reason::internal_error;
  }
  return refusal;
}

api::Quote CreditGatePlugin::quote(const api::Batch& batch) noexcept {
  return answerOrRefusal<api::Quote>("quote", [&] { return quoteOrThrow(batch); });
}

api::Quote CreditGatePlugin::quoteOrThrow(const api::Batch& batch) {
  const std::shared_ptr<const LiveSettings> live = liveSettings();
  const Database::Deadline deadline = this->deadline();
  api::Quote quote;
  quote.recipients_total = static_cast<std::uint32_t>(batch.recipients.size());
  Priced priced = validateAndPrice(batch, *live, deadline);
  copyText(quote.currency, priced.currency);
  if (priced.reason != api::Reason::ok) {
    quote.decision = api::Decision::block;
    quote.reason = priced.reason;
    copyText(quote.detail, priced.detail);
    return quote;
  }
  quote.total_micros = priced.price.total_micros;
  // One line per market: within one batch every recipient of a market costs the same.
  std::map<MarketIndex, api::QuoteLine> lines;
  for (std::size_t i = 0; i < priced.price.markets.size(); ++i) {
    api::QuoteLine& line = lines[priced.price.markets[i]];
    line.recipients += 1;
    line.unit_price_micros = priced.price.unit_prices[i];
    line.amount_micros += priced.price.unit_prices[i];
  }
  for (auto& [market, line] : lines) {
    copyText(line.market, priced.snapshot->marketName(market));
    copyText(line.category, categoryName(priced.category));
    quote.lines.push_back(line);
  }

  const EffectivePolicy policy = live->policyFor(batch.tenant_id, priced.category);
  const LedgerQuote answer =
      decisions_.quote(decisionRequest(batch, priced, policy, *live), deadline);
  quote.decision = answer.decision;
  quote.reason = answer.reason;
  quote.balance_known = answer.balance_micros.has_value();
  quote.available_micros = answer.available_micros.value_or(0);
  quote.recipients_affordable = answer.recipients_affordable;
  return quote;
}

api::Settlement CreditGatePlugin::report(const api::OutcomeReport& outcomes) noexcept {
  return answerOrRefusal<api::Settlement>("report", [&] { return reportOrThrow(outcomes); });
}

api::Settlement CreditGatePlugin::reportOrThrow(const api::OutcomeReport& outcomes) {
  api::Settlement settlement;
  if (auto problem = findOutcomeReportProblem(outcomes)) {
    settlement.reason = problem->reason;
    copyText(settlement.detail, problem->detail);
    return settlement;
  }
  const std::size_t count = outcomes.outcomes.size();
  std::vector<std::string_view> recipients;
  recipients.reserve(count);
  auto delivered = std::make_unique<bool[]>(count);  // std::vector<bool> cannot be a span
  for (std::size_t i = 0; i < count; ++i) {
    recipients.push_back(outcomes.outcomes[i].recipient);
    delivered[i] = outcomes.outcomes[i].delivery == api::Delivery::delivered;
  }
  const std::span<const bool> delivered_span(delivered.get(), count);

  const std::shared_ptr<const LiveSettings> live = liveSettings();
  LedgerSettlement settled;
  try {
    settled = settlements_.settle(outcomes.tenant_id, outcomes.batch_id, recipients, delivered_span,
                                  deadline());
  } catch (const LedgerError& e) {
    if (e.kind() == LedgerError::Kind::rejected) throw;
    return settleWithoutLedger(outcomes, recipients, delivered_span, e);
  }
  settlement.ok = settled.reason == api::Reason::ok;
  settlement.reason = settled.reason;
  settlement.refunded_recipients = settled.refunded_recipients;
  settlement.refunded_micros = settled.refunded_micros;
  settlement.already_settled = settled.already_settled;
  settlement.not_in_batch = settled.not_in_batch;
  settlement.balance_after_micros = settled.balance_after_micros.value_or(0);
  copyText(settlement.currency, settled.currency);
  metrics_->countMoney("refund", settled.currency, settled.refunded_micros);
  if (settled.reason == api::Reason::unknown_batch) {
    copyText(settlement.detail, "batch_id " + quotedText(outcomes.batch_id) +
                                    " was never allowed for this tenant (or was voided after its "
                                    "decision stayed in doubt); nothing to settle");
  } else if (settled.reason == api::Reason::unknown_tenant) {
    copyText(settlement.detail, unknownTenantDetail(outcomes.tenant_id));
  }
  return settlement;
}

// Outcomes are money owed to the tenant: when the ledger cannot take them, a durable journal does,
// and they are settled when it answers again. Without one, the host is told to re-send.
api::Settlement CreditGatePlugin::settleWithoutLedger(const api::OutcomeReport& outcomes,
                                                      std::span<const std::string_view> recipients,
                                                      std::span<const bool> delivered,
                                                      const LedgerError& error) {
  api::Settlement settlement;
  if (journal_ && journal_->durable()) {
    try {
      journal_->journalOutcomes(outcomes.tenant_id, outcomes.batch_id, recipients, delivered);
      outage_log_.answeredWithoutLedger(error, LedgerOutageLog::Answer::report_journaled);
      settlement.ok = true;
      settlement.journaled = true;
      settlement.reason = api::Reason::ledger_unavailable;
      copyText(settlement.detail, unavailableText(error) +
                                      ": the outcomes are journaled and settled (refunds made) "
                                      "when it answers again");
      return settlement;
    } catch (const std::exception& e) {
      services_.log(api::LogLevel::error,
                    std::string("creditgate: cannot journal a report: ") + e.what());
    }
  }
  outage_log_.answeredWithoutLedger(error, LedgerOutageLog::Answer::report_refused);
  if (error.kind() == LedgerError::Kind::in_doubt) {
    settlement.reason = api::Reason::ledger_in_doubt;
    copyText(settlement.detail, "the outcomes may have been recorded (" + error.cause() +
                                    "); re-send them: nothing is refunded twice");
  } else {
    settlement.reason = unavailableReason(error);
    copyText(settlement.detail,
             unavailableText(error) + "; nothing was recorded: re-send the outcomes later");
  }
  return settlement;
}

api::ReloadResult CreditGatePlugin::reload() noexcept {
  api::ReloadResult result;
  try {
    std::unique_lock lock(reload_mutex_);
    const std::shared_ptr<const InForce> running = in_force_.load();
    result.generation = running->generation;
    auto refuse = [&](const std::string& why) {
      const std::string text =
          "config " + config_path_ + " refused, the running config stays: " + why;
      services_.log(api::LogLevel::error, "creditgate: " + text);
      metrics_->countConfigReloadFailure();
      copyText(result.detail, text);
      return result;
    };
    auto loaded = loadConfigFile(config_path_);
    if (auto* problem = std::get_if<ConfigError>(&loaded)) return refuse(problem->toString());
    Config next = std::move(std::get<Config>(loaded));
    // allow_flagged allows only what it can journal durably, and the journal is opened at start.
    if (next.live.on_ledger_unavailable == LedgerUnavailablePolicy::allow_flagged &&
        (!journal_ || !journal_->durable())) {
      return refuse(
          "policy.on_ledger_unavailable: allow_flagged needs failure.journal_path, "
          "which takes effect only at restart; set it and restart the gateway");
    }
    // Only the live part goes in force: the startup part is named if it differs, never applied.
    const std::vector<std::string> pending = changedStartupSettings(startup_, next.startup);
    result.ok = true;
    result.generation = running->generation + 1;
    in_force_.store(
        std::make_shared<const InForce>(InForce{std::move(next.live), result.generation}));
    metrics_->setConfigGeneration(result.generation);
    std::string line = "config generation " + std::to_string(result.generation) + " in force";
    if (!pending.empty()) {
      std::string names;
      for (const auto& name : pending) names += (names.empty() ? "" : ", ") + name;
      line += "; only a restart changes " + names + " (running values kept)";
      result.restart_required = true;
      copyText(result.detail, line);
    }
    reliability_.setRestartPending(result.restart_required);
    lock.unlock();
    services_.log(pending.empty() ? api::LogLevel::info : api::LogLevel::warning,
                  "creditgate: " + line);
    rates_.refreshNow();
    return result;
  } catch (const std::exception& e) {
    copyText(result.detail, std::string("reload failed: ") + e.what());
    return result;
  }
}

std::string CreditGatePlugin::metricsText() noexcept {
  try {
    return metrics_->text();
  } catch (...) {
    return {};
  }
}

// A tenant's account, read live from the ledger (never from the tenant directory's cache): what a
// host shows must be what the next decision will see. Never throws: a failure is a refusal with
// the reason, as for quote() and report().
api::AccountBalance CreditGatePlugin::balance(std::string_view tenant_id) noexcept {
  api::AccountBalance answer =
      answerOrRefusal<api::AccountBalance>("balance", [&] { return balanceOrThrow(tenant_id); });
  // A read whose answer was lost changed nothing, so there is nothing in doubt: for a host it is
  // the ledger not answering (AccountBalance has no ledger_in_doubt).
  if (answer.reason == api::Reason::ledger_in_doubt) {
    answer.reason = api::Reason::ledger_unavailable;
  }
  return answer;
}

api::AccountBalance CreditGatePlugin::balanceOrThrow(std::string_view tenant_id) {
  api::AccountBalance answer;
  if (auto invalid = invalidTenantIdDetail(tenant_id)) {
    answer.reason = api::Reason::invalid_tenant_id;
    copyText(answer.detail, *invalid);
    return answer;
  }
  const std::optional<TenantAccount> account = tenant_accounts_.find(tenant_id, deadline());
  if (!account) {
    answer.reason = api::Reason::unknown_tenant;
    copyText(answer.detail, unknownTenantDetail(tenant_id));
    return answer;
  }
  // The config in force now: the thresholds the next debit's notifications would use, resolved as
  // tenantPolicy() shows them.
  const std::shared_ptr<const InForce> in_force = in_force_.load();
  const api::TenantPolicy policy = tenantPolicyFor(in_force->live, tenant_id, in_force->generation);
  answer.found = true;
  answer.reason = api::Reason::ok;
  answer.balance_micros = account->balance_micros;
  // A balance never goes below minus an overdraft limit (a bigint >= 0): negating cannot overflow.
  answer.debt_micros = account->balance_micros < 0 ? -account->balance_micros : 0;
  answer.spent_today_micros = account->spent_today_micros;
  answer.level = api::balanceLevelOf(account->balance_micros, policy);
  copyText(answer.currency, account->currency);
  return answer;
}

// From the config in force alone: no ledger round trip, so it answers during an outage too.
api::TenantPolicy CreditGatePlugin::tenantPolicy(std::string_view tenant_id) noexcept {
  try {
    const std::shared_ptr<const InForce> in_force = in_force_.load();
    return tenantPolicyFor(in_force->live, tenant_id, in_force->generation);
  } catch (const std::exception& e) {  // e.g. bad_alloc
    services_.log(api::LogLevel::error,
                  std::string("creditgate: tenantPolicy failed: ") + e.what());
  } catch (...) {
  }
  api::TenantPolicy refusal;
  refusal.reason = api::Reason::internal_error;
  copyText(refusal.detail, kInternalErrorDetail);
  return refusal;
}

// One trivial read through the same pool and circuit breaker as decide(), within the decision
// deadline (LedgerProbe): ready means a decision would reach the ledger now. While the circuit is
// open the read is refused at once (not ready, no wait); once its open period ends, this call may
// be the probe that closes it again.
api::Readiness CreditGatePlugin::readiness() noexcept {
  api::Readiness answer;
  try {
    answer.config_generation = in_force_.load()->generation;
    std::string why;
    try {
      ledger_probe_.probe(deadline());
      answer.ledger_answering = true;
    } catch (const LedgerError& e) {
      if (e.kind() == LedgerError::Kind::rejected) {
        // Reached, but refused (a missing migration or grant): decisions would fail too.
        services_.log(api::LogLevel::error,
                      std::string("creditgate: readiness failed: ") + e.what());
        why = "the ledger refused the readiness call; see the gateway log";
      } else {
        why = unavailableText(e);
      }
    }
    answer.circuit_closed = database_.circuitClosed();
    answer.ready = answer.ledger_answering && answer.circuit_closed;
    if (!answer.circuit_closed) {
      why += std::string(why.empty() ? "" : "; ") +
             "the circuit is open after ledger errors: decisions fail fast until a probe succeeds";
    }
    copyText(answer.detail, why);
  } catch (...) {
    answer.ready = false;
    copyText(answer.detail, kInternalErrorDetail);
  }
  return answer;
}

}  // namespace creditgate
