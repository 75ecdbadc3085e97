// creditgate host API: the contract between a messaging gateway (the host) and the credit plugin.
//
// Only what both sides must agree on lives here: plain structs of views, enums, one abstract hook
// interface (CreditGate), the services the host lends the plugin (HostServices), and the factory
// signature. The ABI stamp that guards all of it is in abi_stamp.hpp; a host loads plugins with
// plugin_loader.hpp.
//
// Money is always int64 micro-units (1e-6) of the tenant's ISO 4217 currency.
//
// Changing anything in this file changes the ABI: bump kApiVersion in api_version.hpp (a test fails
// until the recorded fingerprint matches this file again).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "creditgate/api_version.hpp"

namespace creditgate::api {

// What the gateway may do with a batch.
enum class Decision : std::uint8_t {
  allow = 0,          // send every recipient; charged_micros was debited
  allow_flagged = 1,  // send every recipient; debited into the overdraft the policy allows, flagged
  allow_partial = 2,  // send only the first recipients_allowed recipients; only those were debited
  block = 3,          // send nothing; nothing was debited (but see Reason::ledger_in_doubt)
};

// Stable reason codes: the numeric values and the text from reasonCode() never change meaning,
// new codes are only appended. Dashboards, alerts and gateways key on the text.
enum class Reason : std::uint16_t {
  ok = 0,                        // allow: credit covered the batch
  overdraft = 1,                 // allow_flagged: debited below zero within the overdraft limit
  partial_credit = 2,            // allow_partial: credit covered only the first n recipients
  insufficient_credit = 3,       // block: credit does not cover the batch (policy block)
  overdraft_limit_exceeded = 4,  // block: even the overdraft limit does not cover it (policy flag)
  batch_conflict = 5,            // block: batch_id already used for different content
  unknown_tenant = 6,            // block: no such tenant in the ledger
  currency_mismatch = 7,         // block: priced in a currency other than the tenant's
  invalid_tenant_id = 8,         // block: tenant_id empty, too long or not printable
  invalid_batch_id = 9,          // block: batch_id empty, too long or not printable
  invalid_campaign_id = 10,      // block: campaign_id too long or not printable
  invalid_template = 11,         // block: template_name empty, too long or not printable
  unknown_category = 12,         // block: category is not a WhatsApp template category
  no_recipients = 13,            // block: the batch has no recipients
  too_many_recipients = 14,      // block: more recipients than limits.max_batch_recipients
  invalid_recipient = 15,        // block: a recipient is not an E.164 number
  duplicate_recipient = 16,      // block: a recipient appears twice in one batch
  rate_not_found = 17,           // block: no rate for (market, category, currency)
  amount_overflow = 18,          // block: the price does not fit in int64 micro-units
  ledger_unavailable = 19,       // block: the database could not be reached; nothing was debited.
                                 // allow_flagged: sent unverified by on_ledger_unavailable, debited
                                 // when the ledger answers again
  ledger_timeout = 20,           // block: the database did not answer within the deadline; nothing
                                 // was debited
  internal_error = 21,           // block: a bug; logged and counted
  unknown_batch = 22,            // report: no debited batch with this id
  invalid_outcome = 23,          // report: an outcome names no recipient or a bad status
  ledger_in_doubt = 24,          // block: the request reached the ledger but its answer was lost, so
                                 // the batch MAY have been debited. Do not send it yet: retry
                                 // decide() with the same batch_id and content to learn its verdict
                                 // (a replay if it was recorded). If no retry comes, the plugin
                                 // voids such a debit once the ledger has known of the doubt for
                                 // failure.in_doubt_grace_s; a retry after that is decided afresh.
                                 // report(): the outcomes may have been recorded; re-send them.
};

// The last reason code: codes run from 0 to this, without gaps.
inline constexpr Reason kLastReason = Reason::ledger_in_doubt;

// Stable text of a reason code, e.g. "insufficient_credit". Never null.
constexpr const char* reasonCode(Reason reason) noexcept {
  switch (reason) {
    case Reason::ok: return "ok";
    case Reason::overdraft: return "overdraft";
    case Reason::partial_credit: return "partial_credit";
    case Reason::insufficient_credit: return "insufficient_credit";
    case Reason::overdraft_limit_exceeded: return "overdraft_limit_exceeded";
    case Reason::batch_conflict: return "batch_conflict";
    case Reason::unknown_tenant: return "unknown_tenant";
    case Reason::currency_mismatch: return "currency_mismatch";
    case Reason::invalid_tenant_id: return "invalid_tenant_id";
    case Reason::invalid_batch_id: return "invalid_batch_id";
    case Reason::invalid_campaign_id: return "invalid_campaign_id";
    case Reason::invalid_template: return "invalid_template";
    case Reason::unknown_category: return "unknown_category";
    case Reason::no_recipients: return "no_recipients";
    case Reason::too_many_recipients: return "too_many_recipients";
    case Reason::invalid_recipient: return "invalid_recipient";
    case Reason::duplicate_recipient: return "duplicate_recipient";
    case Reason::rate_not_found: return "rate_not_found";
    case Reason::amount_overflow: return "amount_overflow";
    case Reason::ledger_unavailable: return "ledger_unavailable";
    case Reason::ledger_timeout: return "ledger_timeout";
    case Reason::internal_error: return "internal_error";
    case Reason::unknown_batch: return "unknown_batch";
    case Reason::invalid_outcome: return "invalid_outcome";
    case Reason::ledger_in_doubt: return "ledger_in_doubt";
  }
  return "internal_error";
}

constexpr const char* decisionName(Decision decision) noexcept {
  switch (decision) {
    case Decision::allow: return "allow";
    case Decision::allow_flagged: return "allow_flagged";
    case Decision::allow_partial: return "allow_partial";
    case Decision::block: return "block";
  }
  return "block";
}

// Sizes of the fixed text fields below, NUL terminator included.
inline constexpr std::size_t kCurrencySize = 4;   // "EUR\0"
inline constexpr std::size_t kDetailSize = 240;   // human-readable explanation
inline constexpr std::size_t kNameSize = 48;      // market or category name
inline constexpr std::size_t kPolicyNameSize = 24;  // a policy's name, e.g. "allow_flagged"

// One outreach batch, as the gateway is about to send it. Every field is a view the host owns;
// the plugin reads them only during the call and keeps no pointer afterwards.
struct Batch {
  std::string_view tenant_id;      // the business tenant whose credit pays
  std::string_view batch_id;       // idempotency key: a retry must reuse it with the same content
  std::string_view campaign_id;    // may be empty
  std::string_view template_name;  // the WhatsApp template
  std::string_view category;       // marketing | utility | authentication |
                                   // authentication_international | service
  std::span<const std::string_view> recipients;  // E.164, e.g. "+4915112345678", in send order
};

// The plugin's answer to decide(). Plain, fixed-size, trivially copyable.
struct Verdict {
  Decision decision = Decision::block;
  Reason reason = Reason::internal_error;
  bool replayed = false;       // batch_id seen before with this content: original verdict, no money moved
  bool balance_known = false;  // false when the ledger was not consulted (bad input, outage)
  std::uint32_t recipients_allowed = 0;  // the gateway may send recipients[0 .. recipients_allowed)
  std::int64_t charged_micros = 0;       // debited for this batch (0 when blocked)
  std::int64_t balance_after_micros = 0; // tenant balance after the debit; valid if balance_known
  char currency[kCurrencySize] = {};     // tenant's ISO 4217 code; empty if unknown
  char detail[kDetailSize] = {};         // why, naming the field and value; never contains secrets
};

// One line of a quote: the recipients of one market, in one category.
struct QuoteLine {
  char market[kNameSize] = {};
  char category[kNameSize] = {};
  std::uint32_t recipients = 0;
  std::int64_t unit_price_micros = 0;
  std::int64_t amount_micros = 0;
};

// The plugin's answer to quote(): what decide() would do now, without doing it.
struct Quote {
  Decision decision = Decision::block;   // what decide() would answer with the current balance
  Reason reason = Reason::internal_error;
  bool balance_known = false;
  std::uint32_t recipients_total = 0;
  std::uint32_t recipients_affordable = 0;  // how many of the first recipients the credit covers
  std::int64_t total_micros = 0;            // price of the whole batch
  std::int64_t available_micros = 0;        // balance plus the overdraft the policy allows
  char currency[kCurrencySize] = {};
  char detail[kDetailSize] = {};
  std::vector<QuoteLine> lines;             // breakdown per market x category
};

enum class Delivery : std::uint8_t {
  delivered = 0,  // Meta delivered it and charges for it
  failed = 1,     // undelivered for good: Meta does not charge, the plugin refunds it
};

struct RecipientOutcome {
  std::string_view recipient;  // as sent, E.164
  Delivery delivery = Delivery::failed;
};

// Terminal outcomes of (some of) a batch's recipients. May arrive in any order, in pieces, and more
// than once: the first terminal state per recipient wins and replays change nothing.
struct OutcomeReport {
  std::string_view tenant_id;
  std::string_view batch_id;
  std::span<const RecipientOutcome> outcomes;
};

// The plugin's answer to report(). Re-sending the same outcomes is always safe (the first terminal
// state per recipient wins), so a host re-sends whenever ok is false.
struct Settlement {
  bool ok = false;   // true: the plugin took responsibility for the outcomes: settled in the ledger,
                     // or (journaled) kept durably and settled when the ledger answers again.
                     // false: not recorded (re-send later), or, with reason ledger_in_doubt,
                     // maybe recorded (re-send to make sure; nothing is refunded twice)
  Reason reason = Reason::internal_error;
  bool journaled = false;  // ok with reason ledger_unavailable: the ledger could not answer; the
                           // plugin fsynced the outcomes to its journal and settles them when it
                           // answers again. The refund figures below are then 0.
  std::uint32_t refunded_recipients = 0;  // newly refunded by this call
  std::uint32_t already_settled = 0;      // outcomes for recipients settled before (ignored)
  std::uint32_t not_in_batch = 0;         // outcomes naming recipients not sent in the batch (ignored)
  std::int64_t refunded_micros = 0;       // credited back by this call
  std::int64_t balance_after_micros = 0;
  char currency[kCurrencySize] = {};
  char detail[kDetailSize] = {};
};

struct ReloadResult {
  bool ok = false;                // false: the running config stays in force
  bool restart_required = false;  // ok, but settings that change only at restart were edited: they
                                  // keep their running values until then (named in detail)
  std::uint64_t generation = 0;   // config generation now in force (starts at 1)
  char detail[kDetailSize] = {};  // on failure: file, line, column and field
};

// How low a tenant's balance is against the low-balance thresholds of the plugin's config (the
// levels the low-balance notifications use).
enum class BalanceLevel : std::uint8_t {
  ok = 0,        // at or above every threshold
  warning = 1,   // below notifications' warning threshold
  critical = 2,  // below notifications' critical threshold
  depleted = 3,  // zero or below (in overdraft)
};

constexpr const char* balanceLevelName(BalanceLevel level) noexcept {
  switch (level) {
    case BalanceLevel::ok: return "ok";
    case BalanceLevel::warning: return "warning";
    case BalanceLevel::critical: return "critical";
    case BalanceLevel::depleted: return "depleted";
  }
  return "ok";
}

// The plugin's answer to balance(): a tenant's account as the ledger holds it now. Read only.
struct AccountBalance {
  bool found = false;  // false: reason says why (unknown_tenant, invalid_tenant_id,
                       // ledger_unavailable, ledger_timeout, internal_error) and detail explains
  Reason reason = Reason::internal_error;  // ok when found
  std::int64_t balance_micros = 0;         // may be negative (overdraft)
  std::int64_t debt_micros = 0;            // -balance when in overdraft, else 0
  std::int64_t spent_today_micros = 0;     // debits minus refunds since 00:00 UTC
  BalanceLevel level = BalanceLevel::ok;   // balanceLevelOf(balance_micros, tenantPolicy(id))
  char currency[kCurrencySize] = {};
  char detail[kDetailSize] = {};
};

// The plugin's answer to readiness(): whether decide() can get an answer from the ledger now.
struct Readiness {
  bool ready = false;             // ledger_answering and circuit_closed
  bool ledger_answering = false;  // a trivial ledger call answered within the decision deadline
  bool circuit_closed = false;    // the plugin is not failing decisions fast after ledger errors
  std::uint64_t config_generation = 0;
  char detail[kDetailSize] = {};  // why not ready; never contains secrets
};

// What happens when a tenant's credit does not cover a batch: the plugin's config,
// policy.on_insufficient_credit (the same names).
enum class CreditPolicy : std::uint8_t {
  block = 0,    // send nothing, debit nothing (insufficient_credit)
  flag = 1,     // send and debit down to -overdraft_limit_micros, flagged (overdraft); past it,
                // block (overdraft_limit_exceeded)
  partial = 2,  // send the affordable first n recipients, debit only those (partial_credit)
};

// "block", "flag" or "partial", as the config spells them. Never null.
constexpr const char* creditPolicyName(CreditPolicy policy) noexcept {
  switch (policy) {
    case CreditPolicy::block: return "block";
    case CreditPolicy::flag: return "flag";
    case CreditPolicy::partial: return "partial";
  }
  return "unknown";
}

// Room in TenantPolicy::categories: the categories the plugin prices, with space to grow.
inline constexpr std::size_t kMaxCategories = 8;

// One category's insufficient-credit policy for one tenant, resolved: per field, the most specific
// of the config's tenant + category, tenant, default + category, default (built in: block, 0).
struct CategoryPolicy {
  char category[kNameSize] = {};  // marketing | utility | authentication |
                                  // authentication_international | service
  CreditPolicy on_insufficient_credit = CreditPolicy::block;
  std::int64_t overdraft_limit_micros = 0;  // >= 0; flag: how far below zero the balance may go
};

// The plugin's answer to tenantPolicy(): what its config decides for one tenant, resolved (the
// tenant's own settings over the default, per field and category), from the config generation in
// force. Read only, from the config alone: the ledger is not asked, so a tenant the ledger does not
// know gets the policy it would have. Amounts are in the tenant's currency (balance() says which).
struct TenantPolicy {
  bool found = false;  // false: tenant_id is not a valid tenant id (reason invalid_tenant_id,
                       // detail names the value), or a bug (internal_error). Any valid id has a
                       // policy: the config's default applies to every tenant without its own
  Reason reason = Reason::internal_error;  // ok when found
  std::uint32_t category_count = 0;        // categories[0 .. category_count) are set
  // One per category the plugin prices, in the order of the list above. No "= {}": each element's
  // own initializers zero it, and with one GCC 12 refuses `return {};` of a TenantPolicy.
  CategoryPolicy categories[kMaxCategories];
  // The low-balance levels (notifications.low_balance_warning / low_balance_critical, the tenant's
  // own over the default, each on its own) that balance()'s level and the notifications use.
  // Unset: that level is off.
  bool warning_threshold_set = false;
  std::int64_t warning_threshold_micros = 0;
  bool critical_threshold_set = false;
  std::int64_t critical_threshold_micros = 0;
  // What a decision does while the ledger cannot answer (policy.on_ledger_unavailable, the same for
  // every tenant): "block" or "allow_flagged", and with allow_flagged the most this tenant may have
  // pending in the journal at once (policy.ledger_unavailable_cap).
  char ledger_unavailable_policy[kPolicyNameSize] = {};
  std::int64_t ledger_unavailable_cap_micros = 0;
  std::uint64_t config_generation = 0;  // the config generation this was read from (ReloadResult)
  char detail[kDetailSize] = {};        // why not found; empty when found
};

// The level balance() reports for a balance, from a TenantPolicy's thresholds: the one definition
// the plugin's balance() uses too. The comparison of the ledger's low-balance notifications: a
// level applies when the balance is strictly below its threshold, depleted below one micro-unit
// (zero or less, whatever the thresholds), and the most severe level that applies wins (a tenant's
// own warning may sit below the default critical).
constexpr BalanceLevel balanceLevelOf(std::int64_t balance_micros,
                                      const TenantPolicy& policy) noexcept {
  if (balance_micros < 1) return BalanceLevel::depleted;
  if (policy.critical_threshold_set && balance_micros < policy.critical_threshold_micros) {
    return BalanceLevel::critical;
  }
  if (policy.warning_threshold_set && balance_micros < policy.warning_threshold_micros) {
    return BalanceLevel::warning;
  }
  return BalanceLevel::ok;
}

enum class LogLevel : std::uint8_t { debug = 0, info = 1, warning = 2, error = 3 };

// An event for a tenant's contact (insufficient credit, low balance, ...).
struct Notification {
  std::string_view event_id;      // stable: a redelivery carries the same id, so the host can de-duplicate
  std::string_view tenant_id;
  std::string_view type;          // insufficient_credit | low_balance | depleted | recovered
  std::string_view contact;       // where to send it, as the admins stored it
  std::string_view payload_json;  // the event's details as a JSON object
};

// Services the host lends the plugin. The host owns the object and keeps it alive until the last
// CreditGate it passed it to is destroyed. Every method may be called from any plugin thread at once,
// so implementations must be thread-safe; none may throw.
class HostServices {
 public:
  virtual void log(LogLevel level, std::string_view message) noexcept = 0;
  // Hands one event to the host's notifier; true once the host has taken responsibility for it.
  virtual bool notify(const Notification& notification) noexcept = 0;
  // Wall clock, microseconds since the Unix epoch (a host may fake it in tests).
  virtual std::int64_t nowUnixMicros() noexcept = 0;

 protected:
  ~HostServices() = default;  // not owned through this interface
};

// What the host gives the factory. Views are only read during the factory call.
struct PluginContext {
  std::uint32_t struct_size = sizeof(PluginContext);  // lets the struct grow without breaking old plugins
  std::string_view config_path;                       // the plugin's JSON config file
  HostServices* services = nullptr;                   // never null; outlives the CreditGate
};

// The hook the gateway calls. One object serves the whole gateway.
//
// Thread safety: decide, quote and report are called concurrently from many gateway threads and are
// safe to call so; reload and metricsText may run concurrently with them.
// Errors: no call throws. Failures come back as a Verdict/Settlement with a reason code; a failure is
// never an allow unless the admins' failure policy says so.
// Lifetime: created by the factory; the host destroys it before unloading the library.
class CreditGate {
 public:
  virtual ~CreditGate() = default;

  // Prices the batch, checks and debits the tenant's credit in one database round trip, and answers
  // whether to send. Call before every batch. Retry with the same batch_id and content: after a
  // crash or timeout of the host, and on ledger_in_doubt (see there); never under a new id.
  virtual Verdict decide(const Batch& batch) noexcept = 0;

  // Same pricing and policy as decide(), with no side effect at all.
  virtual Quote quote(const Batch& batch) noexcept = 0;

  // Settles terminal outcomes: refunds each failed recipient once. Idempotent: re-send whenever ok
  // is false (see Settlement).
  virtual Settlement report(const OutcomeReport& outcomes) noexcept = 0;

  // Re-reads the config file; an invalid file is refused and the running config stays. Settings
  // that change only at restart keep their running values (restart_required says so).
  virtual ReloadResult reload() noexcept = 0;

  // Prometheus text exposition of the plugin's metrics, for a host that serves its own /metrics.
  virtual std::string metricsText() noexcept = 0;

  // A tenant's balance, debt, spending today and low-balance level, read from the ledger (one
  // round trip, no lock, nothing written). For hosts that show balances (an HTTP billing API).
  virtual AccountBalance balance(std::string_view tenant_id) noexcept = 0;

  // Whether the ledger answers now (one trivial round trip within the decision deadline), for a
  // host's readiness probe. Cheap enough to call every few seconds.
  virtual Readiness readiness() noexcept = 0;

  // The policy the plugin's config sets for a tenant now (API version 4): per category what
  // insufficient credit does and the overdraft allowed, the low-balance thresholds of balance()'s
  // level, and what happens while the ledger cannot answer. From the config alone (no ledger round
  // trip, nothing written), for hosts that show it (a billing portal); a reload is in force for the
  // next call.
  virtual TenantPolicy tenantPolicy(std::string_view tenant_id) noexcept = 0;
};

// The factory every plugin exports as a Boost.DLL alias named kFactoryAlias. On failure it returns
// null and sets `error` (e.g. the config file's line, column and field); it never throws.
using CreateGateFn = std::unique_ptr<CreditGate>(const PluginContext& context, std::string& error);

inline constexpr const char* kFactoryAlias = "creditgate_create_gate";
inline constexpr const char* kAbiStampSymbol = "creditgate_abi_stamp";

}  // namespace creditgate::api
