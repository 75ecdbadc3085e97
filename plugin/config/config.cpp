#include "config.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>
#include <utility>

#include "decimal_micros.hpp"
#include "json_document.hpp"
#include "quoted_text.hpp"
#include "tenant_id.hpp"

namespace creditgate {

namespace {

using Kind = JsonNode::Kind;

constexpr std::size_t kMaxQuotedChars = 64;  // one bad key or value must not flood a log line

// The keys each object accepts, as listed in "unknown key" messages.
constexpr std::string_view kRootKeys =
    "database, limits, policy, pricing, notifications, metrics, failure";
constexpr std::string_view kMetricsKeys = "listen, tenant_balances";
constexpr std::string_view kTenantBalanceKeys = "enabled, max_tenants";
constexpr std::string_view kNotificationKeys =
    "low_balance_warning, low_balance_critical, min_interval_s, tenants, relay, email, webhook";
constexpr std::string_view kThresholdKeys = "low_balance_warning, low_balance_critical";
constexpr std::string_view kRelayKeys =
    "enabled, poll_ms, batch_size, concurrency, max_backoff_ms, retry_period_s";
constexpr std::string_view kEmailKeys =
    "smtp_url, starttls, username, password_file, from, timeout_ms, portal_url";
constexpr std::string_view kWebhookKeys = "timeout_ms";
constexpr std::string_view kPricingKeys = "on_missing_rate";
constexpr std::string_view kDatabaseKeys =
    "dsn, pool_size, statement_timeout_ms, connect_timeout_s, rates_refresh_ms, group_commit,"
    " prepared_statements";
constexpr std::string_view kGroupCommitKeys = "enabled, max_batches, gather_us";
constexpr std::string_view kLimitsKeys = "max_batch_recipients";
constexpr std::string_view kDefaultPolicyKeys =
    "on_insufficient_credit, overdraft_limit, categories, tenants, on_ledger_unavailable, "
    "ledger_unavailable_cap";
constexpr std::string_view kFailureKeys = "journal_path, replay_ms, in_doubt_grace_s";
constexpr std::string_view kTenantPolicyKeys =
    "on_insufficient_credit, overdraft_limit, categories";
constexpr std::string_view kCategoryRuleKeys = "on_insufficient_credit, overdraft_limit";

// Thrown inside this file only, so the readers below can stay small; parseConfig returns it.
struct ConfigFailure {
  ConfigError error;
};

[[noreturn]] void fail(std::string field, JsonPosition at, std::string message) {
  throw ConfigFailure{ConfigError{std::move(field), at.line, at.column, std::move(message)}};
}

std::string joinPath(std::string_view parent, std::string_view key) {
  std::string path(parent);
  if (!path.empty()) {
    path += '.';
  }
  return path + printableText(key, kMaxQuotedChars);
}

// "integer 5", "string 'x'": what the file holds, for type errors of non-secret fields.
std::string describe(const JsonNode& node) {
  std::string kind(jsonKindName(node.kind));
  switch (node.kind) {
    case Kind::integer: return kind + " " + std::to_string(node.integer);
    case Kind::number: return kind + " " + printableText(node.text, kMaxQuotedChars);
    case Kind::string: return kind + " " + quotedText(node.text, kMaxQuotedChars);
    case Kind::boolean: return kind + (node.boolean ? " true" : " false");
    default: return kind;
  }
}

// Names only the kind: someone who writes "database": "host=... password=..." must not see the
// password echoed back.
void expectObject(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::object) {
    fail(path, node.position, "expected object, got " + std::string(jsonKindName(node.kind)));
  }
}

// Calls visit(key, value, path) for each member in file order, so the first problem in the file is
// the one reported; visit returns false for a key it does not know.
template <class Visit>
void forEachMember(const JsonNode& object, const std::string& path, std::string_view known_keys,
                   Visit visit) {
  expectObject(object, path);
  for (std::size_t i = 0; i < object.members.size(); ++i) {
    const auto& [key, value] = object.members[i];
    std::string member_path = joinPath(path, key);
    if (!visit(key, value, member_path)) {
      fail(std::move(member_path), object.key_positions[i],
           "unknown key; expected one of: " + std::string(known_keys));
    }
  }
}

std::int64_t readInteger(const JsonNode& node, const std::string& path, std::int64_t min,
                         std::int64_t max) {
  if (node.kind != Kind::integer) {
    fail(path, node.position, "expected integer, got " + describe(node));
  }
  if (node.integer < min || node.integer > max) {
    fail(path, node.position,
         std::to_string(node.integer) + " is out of range " + std::to_string(min) + ".." +
             std::to_string(max));
  }
  return node.integer;
}

int readInt(const JsonNode& node, const std::string& path, int min, int max) {
  return static_cast<int>(readInteger(node, path, min, max));
}

// The DSN carries the database password: no message here may include any part of it.
std::string readDsn(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::string) {
    fail(path, node.position, "expected string, got " + std::string(jsonKindName(node.kind)));
  }
  if (node.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    fail(path, node.position, "must not be empty");  // libpq would silently use its defaults
  }
  return node.text;
}

InsufficientCreditPolicy readPolicyName(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::string) {
    fail(path, node.position, "expected string, got " + describe(node));
  }
  for (const auto policy : {InsufficientCreditPolicy::block, InsufficientCreditPolicy::flag,
                            InsufficientCreditPolicy::partial}) {
    if (node.text == policyName(policy)) {
      return policy;
    }
  }
  fail(path, node.position,
       quotedText(node.text, kMaxQuotedChars) + " is not one of: block, flag, partial");
}

MissingRatePolicy readMissingRatePolicy(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::string) {
    fail(path, node.position, "expected string, got " + describe(node));
  }
  if (node.text == "block") return MissingRatePolicy::block;
  if (node.text == "other") return MissingRatePolicy::price_as_other;
  fail(path, node.position,
       quotedText(node.text, kMaxQuotedChars) + " is not one of: block, other");
}

void readPricing(const JsonNode& node, const std::string& path, Config& config) {
  forEachMember(node, path, kPricingKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key != "on_missing_rate") return false;
                  config.live.on_missing_rate = readMissingRatePolicy(value, member_path);
                  return true;
                });
}

// A string, never a JSON number: a number would pass through a double in most tools that write
// config, and "0.1" must mean exactly 100000 micro-units.
std::int64_t readOverdraftLimit(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::string) {
    fail(path, node.position, "must be a decimal string such as \"5.00\", not " + describe(node));
  }
  auto parsed = parseDecimalMicros(node.text);
  if (auto* error = std::get_if<DecimalError>(&parsed)) {
    fail(path, node.position, std::move(error->message));
  }
  return std::get<std::int64_t>(parsed);
}

// Reads one of the two rule keys into rule; false if key is not a rule key.
bool readRuleMember(std::string_view key, const JsonNode& value, const std::string& path,
                    PolicyRule& rule) {
  if (key == "on_insufficient_credit") {
    rule.on_insufficient_credit = readPolicyName(value, path);
  } else if (key == "overdraft_limit") {
    rule.overdraft_limit_micros = readOverdraftLimit(value, path);
  } else {
    return false;
  }
  return true;
}

std::string categoryList() {
  std::string list;
  for (const Category category : kAllCategories) {
    list += (list.empty() ? "" : ", ") + std::string(categoryName(category));
  }
  return list;
}

std::map<Category, PolicyRule> readCategories(const JsonNode& node, const std::string& path) {
  expectObject(node, path);
  std::map<Category, PolicyRule> rules;
  for (std::size_t i = 0; i < node.members.size(); ++i) {
    const auto& [key, value] = node.members[i];
    const std::string rule_path = joinPath(path, key);
    const std::optional<Category> category = parseCategory(key);
    if (!category) {
      fail(rule_path, node.key_positions[i],
           "unknown category " + quotedText(key, kMaxQuotedChars) +
               "; expected one of: " + categoryList());
    }
    PolicyRule& rule = rules[*category];
    forEachMember(
        value, rule_path, kCategoryRuleKeys,
        [&](std::string_view rule_key, const JsonNode& rule_value, const std::string& member_path) {
          return readRuleMember(rule_key, rule_value, member_path, rule);
        });
  }
  return rules;
}

PolicyScope readTenantScope(const JsonNode& node, const std::string& path) {
  PolicyScope scope;
  forEachMember(node, path, kTenantPolicyKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key == "categories") {
                    scope.by_category = readCategories(value, member_path);
                    return true;
                  }
                  return readRuleMember(key, value, member_path, scope.rule);
                });
  return scope;
}

// Calls on_tenant(id, value, path) for each member of an object keyed by tenant id.
template <typename OnTenant>
void forEachTenant(const JsonNode& node, const std::string& path, OnTenant&& on_tenant) {
  expectObject(node, path);
  for (std::size_t i = 0; i < node.members.size(); ++i) {
    const auto& [id, value] = node.members[i];
    if (!isValidTenantId(id)) {
      fail(path, node.key_positions[i],
           "tenant id " + quotedText(id, kMaxQuotedChars) + " " + std::string(kTenantIdRule));
    }
    on_tenant(id, value, joinPath(path, id));
  }
}

void readTenants(const JsonNode& node, const std::string& path, Config& config) {
  forEachTenant(node, path,
                [&](const std::string& id, const JsonNode& value, const std::string& tenant_path) {
                  config.live.tenant_policies[id] = readTenantScope(value, tenant_path);
                });
}

LedgerUnavailablePolicy readLedgerUnavailablePolicy(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::string) {
    fail(path, node.position, "expected string, got " + describe(node));
  }
  if (node.text == "block") return LedgerUnavailablePolicy::block;
  if (node.text == "allow_flagged") return LedgerUnavailablePolicy::allow_flagged;
  fail(path, node.position,
       quotedText(node.text, kMaxQuotedChars) + " is not one of: block, allow_flagged");
}

void readFailure(const JsonNode& node, const std::string& path, Config& config) {
  forEachMember(node, path, kFailureKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key == "journal_path") {
                    if (value.kind != Kind::string || value.text.empty()) {
                      fail(member_path, value.position, "expected a non-empty path string");
                    }
                    config.startup.journal_path = value.text;
                  } else if (key == "replay_ms") {
                    config.startup.journal_replay_ms = readInt(value, member_path, 100, 600000);
                  } else if (key == "in_doubt_grace_s") {
                    config.live.in_doubt_grace_ms = 1000 * readInt(value, member_path, 1, 604800);
                  } else {
                    return false;
                  }
                  return true;
                });
}

void readPolicy(const JsonNode& node, const std::string& path, Config& config) {
  PolicyScope& scope = config.live.default_policy;
  forEachMember(
      node, path, kDefaultPolicyKeys,
      [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
        if (key == "categories") {
          scope.by_category = readCategories(value, member_path);
        } else if (key == "tenants") {
          readTenants(value, member_path, config);
        } else if (key == "on_ledger_unavailable") {
          config.live.on_ledger_unavailable = readLedgerUnavailablePolicy(value, member_path);
        } else if (key == "ledger_unavailable_cap") {
          config.live.ledger_unavailable_cap_micros = readOverdraftLimit(value, member_path);
        } else {
          return readRuleMember(key, value, member_path, scope.rule);
        }
        return true;
      });
}

bool readBool(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::boolean) {
    fail(path, node.position, "expected boolean, got " + describe(node));
  }
  return node.boolean;
}

bool readThresholdMember(std::string_view key, const JsonNode& value, const std::string& path,
                         AlertThresholds& thresholds) {
  if (key == "low_balance_warning") {
    thresholds.warning_micros = readOverdraftLimit(value, path);
  } else if (key == "low_balance_critical") {
    thresholds.critical_micros = readOverdraftLimit(value, path);
  } else {
    return false;
  }
  return true;
}

// Critical is the lower, later level: a warning below it would never be seen first.
void checkThresholdOrder(const AlertThresholds& thresholds, const JsonNode& node,
                         const std::string& path) {
  if (thresholds.warning_micros && thresholds.critical_micros &&
      *thresholds.warning_micros < *thresholds.critical_micros) {
    fail(joinPath(path, "low_balance_warning"), node.position,
         "must not be below low_balance_critical");
  }
}

void readRelay(const JsonNode& node, const std::string& path, Config& config) {
  forEachMember(node, path, kRelayKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key == "enabled") {
                    config.startup.relay_enabled = readBool(value, member_path);
                  } else if (key == "poll_ms") {
                    config.startup.relay_poll_ms = readInt(value, member_path, 10, 600000);
                  } else if (key == "batch_size") {
                    config.startup.relay_batch_size = readInt(value, member_path, 1, 1000);
                  } else if (key == "concurrency") {
                    config.startup.relay_concurrency = readInt(value, member_path, 1, 64);
                  } else if (key == "max_backoff_ms") {
                    config.startup.relay_max_backoff_ms =
                        readInt(value, member_path, 1000, 86400000);
                  } else if (key == "retry_period_s") {
                    config.startup.relay_retry_period_s = readInt(value, member_path, 1, 2592000);
                  } else {
                    return false;
                  }
                  return true;
                });
}

std::string readString(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::string) {
    fail(path, node.position, "expected string, got " + describe(node));
  }
  return node.text;
}

// One address (name@domain) with nothing a mail header could be split on.
bool isPlainAddress(std::string_view text) {
  const auto at = text.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < text.size() && text.size() <= 254 &&
         text.find_first_of(" \t\r\n<>,;:\"()[]\\", 0) == std::string_view::npos &&
         text.find('@', at + 1) == std::string_view::npos;
}

void readEmail(const JsonNode& node, const std::string& path, Config& config) {
  StartupSettings& s = config.startup;
  forEachMember(
      node, path, kEmailKeys,
      [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
        if (key == "smtp_url") {
          s.smtp_url = readString(value, member_path);
          const std::string_view url = s.smtp_url;
          const std::size_t scheme_end = url.find("://");
          const std::string_view scheme = url.substr(0, scheme_end);
          const std::string_view authority =
              scheme_end == std::string_view::npos ? "" : url.substr(scheme_end + 3);
          if (authority.find('@') != std::string_view::npos) {
            // The URL would carry the password into logs and errors: it has its own file.
            fail(member_path, value.position,
                 "must not hold a user name or password; set notifications.email.username and "
                 "password_file instead");
          }
          if ((scheme != "smtp" && scheme != "smtps") || authority.empty() ||
              authority.find_first_of("/?# ") != std::string_view::npos ||
              authority.front() == ':') {
            fail(member_path, value.position,
                 quotedText(s.smtp_url, kMaxQuotedChars) +
                     " is not smtp://host[:port] or smtps://host[:port]");
          }
        } else if (key == "starttls") {
          s.smtp_starttls = readString(value, member_path);
          if (s.smtp_starttls != "off" && s.smtp_starttls != "when_offered" &&
              s.smtp_starttls != "required") {
            fail(member_path, value.position,
                 quotedText(s.smtp_starttls, kMaxQuotedChars) +
                     " is not one of off, when_offered, required");
          }
        } else if (key == "username") {
          s.smtp_username = readString(value, member_path);
        } else if (key == "password_file") {
          s.smtp_password_file = readString(value, member_path);
        } else if (key == "from") {
          s.email_from = readString(value, member_path);
          if (!isPlainAddress(s.email_from)) {
            fail(member_path, value.position,
                 quotedText(s.email_from, kMaxQuotedChars) +
                     " is not one plain address (name@domain)");
          }
        } else if (key == "timeout_ms") {
          s.email_timeout_ms = readInt(value, member_path, 1000, 120000);
        } else if (key == "portal_url") {
          s.portal_url = readString(value, member_path);
          if (!s.portal_url.empty() && !s.portal_url.starts_with("https://") &&
              !s.portal_url.starts_with("http://")) {
            fail(member_path, value.position,
                 quotedText(s.portal_url, kMaxQuotedChars) + " is not an http(s):// address");
          }
        } else {
          return false;
        }
        return true;
      });
  // SMTP AUTH needs both; one without the other is a half-made setting, not "no AUTH".
  const JsonNode* username = node.find("username");
  const JsonNode* password_file = node.find("password_file");
  if (password_file && s.smtp_username.empty()) {
    fail(joinPath(path, "username"), password_file->position, "is required with password_file");
  }
  if (username && s.smtp_password_file.empty()) {
    fail(joinPath(path, "password_file"), username->position,
         "is required with username (a file holding the SMTP password)");
  }
}

void readWebhook(const JsonNode& node, const std::string& path, Config& config) {
  forEachMember(node, path, kWebhookKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key != "timeout_ms") return false;
                  config.startup.webhook_timeout_ms = readInt(value, member_path, 1000, 120000);
                  return true;
                });
}

void readNotificationTenants(const JsonNode& node, const std::string& path, Config& config) {
  forEachTenant(node, path,
                [&](const std::string& id, const JsonNode& value, const std::string& tenant_path) {
                  AlertThresholds& thresholds = config.live.tenant_alerts[id];
                  forEachMember(value, tenant_path, kThresholdKeys,
                                [&](std::string_view key, const JsonNode& member,
                                    const std::string& member_path) {
                                  return readThresholdMember(key, member, member_path, thresholds);
                                });
                  checkThresholdOrder(thresholds, value, tenant_path);
                });
}

void readNotifications(const JsonNode& node, const std::string& path, Config& config) {
  forEachMember(node, path, kNotificationKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key == "min_interval_s") {
                    config.live.notify_min_interval_ms =
                        1000 * readInt(value, member_path, 0, 86400);
                  } else if (key == "tenants") {
                    readNotificationTenants(value, member_path, config);
                  } else if (key == "relay") {
                    readRelay(value, member_path, config);
                  } else if (key == "email") {
                    readEmail(value, member_path, config);
                  } else if (key == "webhook") {
                    readWebhook(value, member_path, config);
                  } else {
                    return readThresholdMember(key, value, member_path, config.live.default_alerts);
                  }
                  return true;
                });
  checkThresholdOrder(config.live.default_alerts, node, path);
}

// "host:port" or "" (off). The host is taken as written: binding a non-loopback address is the
// admin's explicit choice.
std::string readListen(const JsonNode& node, const std::string& path) {
  if (node.kind != Kind::string) {
    fail(path, node.position, "expected string, got " + describe(node));
  }
  if (node.text.empty()) return node.text;
  const auto colon = node.text.rfind(':');
  const bool port_ok = colon != std::string::npos && colon + 1 < node.text.size() &&
                       node.text.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
                       node.text.size() - colon - 1 <= 5 &&
                       std::stoi(node.text.substr(colon + 1)) <= 65535;
  if (!port_ok || colon == 0) {
    fail(path, node.position,
         quotedText(node.text, kMaxQuotedChars) +
             " is not host:port (e.g. \"127.0.0.1:9464\") or \"\"");
  }
  return node.text;
}

void readMetrics(const JsonNode& node, const std::string& path, Config& config) {
  forEachMember(node, path, kMetricsKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key == "listen") {
                    config.startup.metrics_listen = readListen(value, member_path);
                    return true;
                  }
                  if (key != "tenant_balances") return false;
                  forEachMember(value, member_path, kTenantBalanceKeys,
                                [&](std::string_view k, const JsonNode& v, const std::string& p) {
                                  if (k == "enabled") {
                                    config.startup.metrics_tenant_balances = readBool(v, p);
                                  } else if (k == "max_tenants") {
                                    config.startup.metrics_max_tenants = readInt(v, p, 1, 100000);
                                  } else {
                                    return false;
                                  }
                                  return true;
                                });
                  return true;
                });
}

void readGroupCommit(const JsonNode& node, const std::string& path, Config& config) {
  forEachMember(node, path, kGroupCommitKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key == "enabled") {
                    config.startup.group_commit = readBool(value, member_path);
                  } else if (key == "max_batches") {
                    config.startup.group_commit_max_batches = readInt(value, member_path, 1, 1000);
                  } else if (key == "gather_us") {
                    config.startup.group_commit_gather_us = readInt(value, member_path, 0, 10000);
                  } else {
                    return false;
                  }
                  return true;
                });
}

void readLimits(const JsonNode& node, const std::string& path, Config& config) {
  forEachMember(node, path, kLimitsKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key != "max_batch_recipients") {
                    return false;
                  }
                  config.live.max_batch_recipients =
                      static_cast<std::uint32_t>(readInteger(value, member_path, 1, 100000));
                  return true;
                });
}

void readDatabase(const JsonNode& node, const std::string& path, Config& config) {
  bool has_dsn = false;
  forEachMember(node, path, kDatabaseKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& member_path) {
                  if (key == "dsn") {
                    config.startup.database_dsn = readDsn(value, member_path);
                    has_dsn = true;
                  } else if (key == "pool_size") {
                    config.startup.pool_size = readInt(value, member_path, 1, 256);
                  } else if (key == "statement_timeout_ms") {
                    config.startup.statement_timeout_ms = readInt(value, member_path, 1, 600000);
                  } else if (key == "connect_timeout_s") {
                    config.startup.connect_timeout_s = readInt(value, member_path, 1, 600);
                  } else if (key == "rates_refresh_ms") {
                    config.startup.rates_refresh_ms = readInt(value, member_path, 100, 3600000);
                  } else if (key == "group_commit") {
                    readGroupCommit(value, member_path, config);
                  } else if (key == "prepared_statements") {
                    config.startup.prepared_statements = readBool(value, member_path);
                  } else {
                    return false;
                  }
                  return true;
                });
  if (!has_dsn) {
    fail(joinPath(path, "dsn"), node.position, "is required");
  }
}

Config readConfig(const JsonNode& root) {
  if (root.kind != Kind::object) {
    fail("", root.position,
         "the top level must be an object, not " + std::string(jsonKindName(root.kind)));
  }
  Config config;
  bool has_database = false;
  forEachMember(root, "", kRootKeys,
                [&](std::string_view key, const JsonNode& value, const std::string& path) {
                  if (key == "database") {
                    readDatabase(value, path, config);
                    has_database = true;
                  } else if (key == "limits") {
                    readLimits(value, path, config);
                  } else if (key == "policy") {
                    readPolicy(value, path, config);
                  } else if (key == "pricing") {
                    readPricing(value, path, config);
                  } else if (key == "notifications") {
                    readNotifications(value, path, config);
                  } else if (key == "metrics") {
                    readMetrics(value, path, config);
                  } else if (key == "failure") {
                    readFailure(value, path, config);
                  } else {
                    return false;
                  }
                  return true;
                });
  if (!has_database) {
    fail("database.dsn", root.position, "is required");
  }
  // Settings that hold only together are reported where the one that needs the other was set.
  const JsonNode* policy = root.find("policy");
  const JsonNode* on_unavailable = policy ? policy->find("on_ledger_unavailable") : nullptr;
  const JsonPosition allow_flagged_at = on_unavailable ? on_unavailable->position : root.position;
  if (config.live.on_ledger_unavailable == LedgerUnavailablePolicy::allow_flagged &&
      config.startup.journal_path.empty()) {
    fail("failure.journal_path", allow_flagged_at,
         "is required when policy.on_ledger_unavailable is allow_flagged");
  }
  // The cap is what an outage may allow per tenant: at 0, allow_flagged would block every batch.
  if (config.live.on_ledger_unavailable == LedgerUnavailablePolicy::allow_flagged &&
      config.live.ledger_unavailable_cap_micros == 0) {
    fail("policy.ledger_unavailable_cap", allow_flagged_at,
         "must be more than 0 when policy.on_ledger_unavailable is allow_flagged: it is what an "
         "outage may allow per tenant (at 0 every batch would be blocked)");
  }
  return config;
}

// Most specific first; a null entry is a level that does not exist for this decision.
using RuleChain = std::array<const PolicyRule*, 4>;

template <class T>
std::optional<T> firstSet(const RuleChain& chain, std::optional<T> PolicyRule::*field) {
  for (const PolicyRule* rule : chain) {
    if (rule != nullptr && (rule->*field).has_value()) {
      return rule->*field;
    }
  }
  return std::nullopt;
}

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};

const PolicyRule* ruleFor(const PolicyScope& scope, Category category) {
  const auto found = scope.by_category.find(category);
  return found == scope.by_category.end() ? nullptr : &found->second;
}

}  // namespace

namespace {

// The one list of what only a restart changes: the connections, threads, files and listeners the
// plugin sets up at start. A reload keeps their running values and names the edited ones.
template <typename Visit>
void forEachStartupSetting(Visit&& visit) {
  visit("database.dsn", &StartupSettings::database_dsn);
  visit("database.pool_size", &StartupSettings::pool_size);
  visit("database.statement_timeout_ms",
        &StartupSettings::statement_timeout_ms);  // sessions set it
  visit("database.connect_timeout_s", &StartupSettings::connect_timeout_s);
  visit("database.rates_refresh_ms", &StartupSettings::rates_refresh_ms);
  visit("database.prepared_statements", &StartupSettings::prepared_statements);
  visit("database.group_commit.enabled", &StartupSettings::group_commit);
  visit("database.group_commit.max_batches", &StartupSettings::group_commit_max_batches);
  visit("database.group_commit.gather_us", &StartupSettings::group_commit_gather_us);
  visit("failure.journal_path", &StartupSettings::journal_path);
  visit("failure.replay_ms", &StartupSettings::journal_replay_ms);
  visit("notifications.relay.enabled", &StartupSettings::relay_enabled);
  visit("notifications.relay.poll_ms", &StartupSettings::relay_poll_ms);
  visit("notifications.relay.batch_size", &StartupSettings::relay_batch_size);
  visit("notifications.relay.concurrency", &StartupSettings::relay_concurrency);
  visit("notifications.relay.max_backoff_ms", &StartupSettings::relay_max_backoff_ms);
  visit("notifications.relay.retry_period_s", &StartupSettings::relay_retry_period_s);
  visit("notifications.email.smtp_url", &StartupSettings::smtp_url);
  visit("notifications.email.starttls", &StartupSettings::smtp_starttls);
  visit("notifications.email.username", &StartupSettings::smtp_username);
  visit("notifications.email.password_file", &StartupSettings::smtp_password_file);
  visit("notifications.email.from", &StartupSettings::email_from);
  visit("notifications.email.timeout_ms", &StartupSettings::email_timeout_ms);
  visit("notifications.email.portal_url", &StartupSettings::portal_url);
  visit("notifications.webhook.timeout_ms", &StartupSettings::webhook_timeout_ms);
  visit("metrics.listen", &StartupSettings::metrics_listen);
  visit("metrics.tenant_balances.enabled", &StartupSettings::metrics_tenant_balances);
  visit("metrics.tenant_balances.max_tenants", &StartupSettings::metrics_max_tenants);
}

}  // namespace

std::vector<std::string> changedStartupSettings(const StartupSettings& running,
                                                const StartupSettings& edited) {
  std::vector<std::string> changed;
  forEachStartupSetting([&](const char* name, auto member) {
    if (running.*member != edited.*member) changed.emplace_back(name);
  });
  return changed;
}

std::string_view policyName(InsufficientCreditPolicy policy) noexcept {
  switch (policy) {
    case InsufficientCreditPolicy::block: return "block";
    case InsufficientCreditPolicy::flag: return "flag";
    case InsufficientCreditPolicy::partial: return "partial";
  }
  return "unknown";
}

EffectivePolicy LiveSettings::policyFor(std::string_view tenant_id, Category category) const {
  RuleChain chain{};
  const auto tenant = tenant_policies.find(tenant_id);
  if (tenant != tenant_policies.end()) {
    chain[0] = ruleFor(tenant->second, category);
    chain[1] = &tenant->second.rule;
  }
  chain[2] = ruleFor(default_policy, category);
  chain[3] = &default_policy.rule;

  EffectivePolicy effective;  // built-in: block, no overdraft
  effective.on_insufficient_credit = firstSet(chain, &PolicyRule::on_insufficient_credit)
                                         .value_or(effective.on_insufficient_credit);
  effective.overdraft_limit_micros = firstSet(chain, &PolicyRule::overdraft_limit_micros)
                                         .value_or(effective.overdraft_limit_micros);
  return effective;
}

std::string ConfigError::toString() const {
  std::string out;
  if (line > 0) {
    out += "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }
  if (!field.empty()) {
    out += field + ": ";
  }
  return out + message;
}

std::variant<Config, ConfigError> parseConfig(std::string_view json_text) {
  auto document = parseJsonDocument(json_text);
  if (const auto* syntax = std::get_if<JsonSyntaxError>(&document)) {
    return ConfigError{"", syntax->position.line, syntax->position.column, syntax->message};
  }
  try {
    return readConfig(std::get<JsonNode>(document));
  } catch (ConfigFailure& failure) {
    return std::move(failure.error);
  }
}

std::variant<Config, ConfigError> loadConfigFile(const std::string& path) {
  const auto cannotRead = [&path](int error) {
    return ConfigError{"", 0, 0,
                       "cannot read " + path + ": " + std::generic_category().message(error)};
  };
  const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    return cannotRead(errno);
  }
  std::string text;
  std::array<char, 4096> buffer;
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    text.append(buffer.data(), got);
  }
  if (std::ferror(file.get())) {
    return cannotRead(errno);  // e.g. EISDIR: fopen accepts a directory, reading it fails
  }
  return parseConfig(text);
}

}  // namespace creditgate

namespace creditgate {

AlertThresholds LiveSettings::alertsFor(std::string_view tenant_id) const {
  AlertThresholds alerts = default_alerts;
  if (auto it = tenant_alerts.find(tenant_id); it != tenant_alerts.end()) {
    if (it->second.warning_micros) alerts.warning_micros = it->second.warning_micros;
    if (it->second.critical_micros) alerts.critical_micros = it->second.critical_micros;
  }
  return alerts;
}

}  // namespace creditgate
