// The plugin's config: database, limits and the admins' policy, read strictly from JSON.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "category.hpp"

namespace creditgate {

// What happens when a tenant's credit does not cover a batch.
enum class InsufficientCreditPolicy : std::uint8_t {
  block = 0,    // send nothing, debit nothing
  flag = 1,     // send and debit down to -overdraft_limit, mark the batch flagged; past it, block
  partial = 2,  // send the affordable first n recipients, debit only those; none affordable: block
};

// What happens when the ledger cannot answer (down, or past the decision deadline).
enum class LedgerUnavailablePolicy : std::uint8_t {
  block = 0,          // block with ledger_unavailable / ledger_timeout
  allow_flagged = 1,  // journal locally (fsync), allow flagged, debit on replay; capped per tenant
};

// What happens when the rate card has no rate for a recipient's (market, category).
enum class MissingRatePolicy : std::uint8_t {
  block = 0,           // block the batch: rate_not_found
  price_as_other = 1,  // price the recipient at the "Other" market's rate
};

std::string_view policyName(InsufficientCreditPolicy policy) noexcept;

// One level of policy; unset fields inherit from the level above.
struct PolicyRule {
  std::optional<InsufficientCreditPolicy> on_insufficient_credit;
  std::optional<std::int64_t> overdraft_limit_micros;  // >= 0, in the tenant's currency
};

struct PolicyScope {
  PolicyRule rule;
  std::map<Category, PolicyRule> by_category;
};

// The policy that applies to one decision, fully resolved.
struct EffectivePolicy {
  InsufficientCreditPolicy on_insufficient_credit = InsufficientCreditPolicy::block;
  std::int64_t overdraft_limit_micros = 0;
  friend bool operator==(const EffectivePolicy&, const EffectivePolicy&) = default;
};

// Low-balance notification thresholds, in the tenant's currency; unset: that level is off.
struct AlertThresholds {
  std::optional<std::int64_t> warning_micros;
  std::optional<std::int64_t> critical_micros;
};

// What only a restart changes: the connections, threads, files and listener the plugin sets up at
// start. A running gate keeps its StartupSettings for its whole life; a reload that edits them is
// told so (changedStartupSettings) and cannot apply them by mistake: it only stores LiveSettings.
struct StartupSettings {
  // database
  std::string database_dsn;           // libpq connection string; secret, never logged
  int pool_size = 4;                  // 1..256
  int statement_timeout_ms = 2000;    // 1..600000: every statement's deadline (sessions set it)
  int connect_timeout_s = 3;          // 1..600
  int rates_refresh_ms = 5000;        // 100..3600000: how often rate data changes are looked for
  bool group_commit = true;           // gather concurrent decisions into one transaction per flush
  int group_commit_max_batches = 64;  // 1..1000 decisions per flush
  int group_commit_gather_us = 1500;  // 0..10000: a free flusher's wait for callers coming back
  // Named statements prepared on every connection. False for a transaction-pooling proxy
  // (pgbouncer pool_mode=transaction): unnamed parameterized statements, and no session settings
  // (the login role must carry statement_timeout and lock_timeout: ALTER ROLE ... SET).
  bool prepared_statements = true;
  // failure
  std::string journal_path;      // required with allow_flagged; without it the journal is in memory
  int journal_replay_ms = 1000;  // 100..600000
  // notifications.relay: this instance delivers the outbox to the tenants' channels
  bool relay_enabled = true;
  int relay_poll_ms = 1000;            // 10..600000: how often due deliveries are looked for
  int relay_batch_size = 50;           // 1..1000: claimed at most per round
  int relay_concurrency = 4;           // 1..64: deliveries in flight at once (worker threads)
  int relay_max_backoff_ms = 3600000;  // 1000..86400000: retries 1 s, 2 s, 4 s ... up to this
  int relay_retry_period_s = 86400;    // 1..2592000: then an undelivered delivery is failed
  // notifications.email (SMTP through libcurl)
  std::string smtp_url = "smtp://localhost:25";  // smtp:// or smtps://host[:port]
  std::string smtp_starttls = "when_offered";    // off | when_offered | required
  std::string smtp_username;                     // "" = no AUTH
  std::string smtp_password_file;                // holds the secret; read at start
  std::string email_from = "creditgate@localhost";
  std::string portal_url;        // the billing portal's address, linked from mails; "" = none
  int email_timeout_ms = 10000;  // 1000..120000, per mail
  // notifications.webhook
  int webhook_timeout_ms = 10000;  // 1000..120000, per request
  // metrics
  std::string metrics_listen = "127.0.0.1:9464";  // "" = no endpoint; loopback unless changed
  bool metrics_tenant_balances = false;           // per-tenant balance gauges (unbounded labels)
  int metrics_max_tenants = 1000;                 // 1..100000: the cap on those gauges
};

// What a reload changes on a running gate, in force for the next decision.
struct LiveSettings {
  // limits
  std::uint32_t max_batch_recipients = 1000;  // 1..100000
  // pricing
  MissingRatePolicy on_missing_rate = MissingRatePolicy::block;
  // failure policy
  LedgerUnavailablePolicy on_ledger_unavailable = LedgerUnavailablePolicy::block;
  std::int64_t ledger_unavailable_cap_micros = 0;  // per tenant, pending in the journal at once
  int in_doubt_grace_ms = 600000;  // a debit in doubt is voided unless a retry got its verdict
  // policy
  PolicyScope default_policy;  // rule fields unset here mean block / 0
  std::map<std::string, PolicyScope, std::less<>> tenant_policies;
  // notifications
  AlertThresholds default_alerts;
  std::map<std::string, AlertThresholds, std::less<>> tenant_alerts;  // per field over the default
  int notify_min_interval_ms = 300000;  // per tenant and kind: stops notification storms

  // Most specific first: tenant+category, tenant, default+category, default.
  EffectivePolicy policyFor(std::string_view tenant_id, Category category) const;
  AlertThresholds alertsFor(std::string_view tenant_id) const;
};

struct Config {
  StartupSettings startup;
  LiveSettings live;
};

struct ConfigError {
  std::string field;  // JSON path, e.g. "policy.tenants.acme.overdraft_limit" ("" for syntax)
  int line = 0;
  int column = 0;
  std::string message;  // names the value unless it is secret (database.dsn)
  // "line 12, column 5: policy.tenants.acme.overdraft_limit: '1e3' is not a plain decimal number"
  std::string toString() const;
};

std::variant<Config, ConfigError> parseConfig(std::string_view json_text);

// The dotted names (database.pool_size, metrics.listen, ...) of the startup settings that differ.
std::vector<std::string> changedStartupSettings(const StartupSettings& running,
                                                const StartupSettings& edited);

// Reads and parses a file; I/O errors come back as a ConfigError with line 0 naming the path.
std::variant<Config, ConfigError> loadConfigFile(const std::string& path);

}  // namespace creditgate
