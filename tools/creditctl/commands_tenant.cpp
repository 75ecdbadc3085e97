// creditctl tenant add, contacts and pricing: a tenant's record, changed only through the admin
// functions (creditgate.add_tenant, set_tenant_contacts, set_tenant_pricing). creditctl webhook
// list, rotate and enable: the webhook endpoints a tenant's webhook contacts get, with the signing
// secrets their receivers check (sql/023: rotate_webhook_secret, enable_webhook).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "arguments.hpp"
#include "commands.hpp"
#include "pg_array.hpp"
#include "quoted_text.hpp"
#include "report_fields.hpp"
#include "text_table.hpp"

namespace creditgate::ctl {
namespace {

// A timestamptz as "2026-07-01T12:34:56.123456Z" (UTC), as every report writes times.
#define UTC_TIME(expression) \
  "to_char(" expression " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

constexpr const char* kAddTenant = "SELECT creditgate.add_tenant($1, $2, $3)";
constexpr const char* kSetContacts = "SELECT creditgate.set_tenant_contacts($1, $2::text[])";
constexpr const char* kSetPricing = "SELECT creditgate.set_tenant_pricing($1, $2, $3)";
constexpr const char* kTenantExists = "SELECT FROM creditgate.tenant WHERE tenant_id = $1";

// Webhook endpoints (of tenant $1, or all when NULL) with the signing secrets valid now, newest
// first (expires NULL: the current one; else an old one kept valid by a rotation until then).
constexpr const char* kEndpoints =
    "SELECT e.tenant_id, e.url, " UTC_TIME("e.created_at") " AS created,"
    "       " UTC_TIME("e.disabled_at") " AS disabled_since, e.disabled_reason,"
    "       coalesce((SELECT json_agg(json_build_object("
    "                   'secret', s.secret, 'created', " UTC_TIME("s.created_at") ","
    "                   'expires', " UTC_TIME("s.expires_at") ") ORDER BY s.created_at DESC)"
    "                   FROM creditgate.webhook_secret s"
    "                  WHERE s.tenant_id = e.tenant_id AND s.url = e.url"
    "                    AND (s.expires_at IS NULL OR s.expires_at > now())), '[]')::text"
    "         AS secrets"
    "  FROM creditgate.webhook_endpoint e"
    " WHERE $1::text IS NULL OR e.tenant_id = $1"
    " ORDER BY e.tenant_id, e.url";

constexpr const char* kRotate = "SELECT creditgate.rotate_webhook_secret($1, $2, $3)";
// After a rotation, in its transaction: the older secrets still valid, and until when.
constexpr const char* kStillValid =
    "SELECT count(*) AS secrets, " UTC_TIME("max(expires_at)") " AS until"
    "  FROM creditgate.webhook_secret"
    " WHERE tenant_id = $1 AND url = $2 AND expires_at > now()";

constexpr const char* kEndpointState =
    "SELECT " UTC_TIME("disabled_at") " AS disabled_since, disabled_reason"
    "  FROM creditgate.webhook_endpoint WHERE tenant_id = $1 AND url = $2";
constexpr const char* kEnable = "SELECT creditgate.enable_webhook($1, $2)";

#undef UTC_TIME

constexpr const char* kUnknownTenantState = "P0002";    // raised by the set_tenant_* functions
constexpr const char* kForeignKeyViolation = "23503";   // home_market names no market
constexpr const char* kUnknownCurrencyState = "CGCUR";  // add_tenant: not in creditgate.currency
// A contact the channel rule refuses (sql/023's contact_problem), too many or one twice; an
// overlap out of range. The database's message names the value.
constexpr const char* kInvalidParameterState = "22023";
constexpr std::string_view kWebhookPrefix = "webhook:";
constexpr std::int64_t kMillisPerHour = 3'600'000;
constexpr int kDefaultOverlapHours = 24;

// The channel a contact names, as sql/023's contact_kind says.
std::string_view channelKind(std::string_view contact) {
  if (contact.starts_with("email:")) return "email";
  if (contact.starts_with(kWebhookPrefix)) return "webhook";
  return "host";
}

// How long a secret valid now signs: "current" (until the next rotation) or "until <time> UTC".
std::string secretValidity(const boost::json::value& expires) {
  if (expires.is_null()) return "current";
  return "until " + shortTime(expires.as_string()) + " UTC";
}

// Each webhook endpoint's signing secrets valid now (a JSON array as kEndpoints' secrets), by URL.
std::map<std::string, boost::json::array> secretsByUrl(pqxx::transaction_base& txn,
                                                       const std::string& tenant) {
  std::map<std::string, boost::json::array> secrets;
  for (const auto& row : txn.exec_params(kEndpoints, tenant)) {
    secrets[row["url"].as<std::string>()] = boost::json::parse(row["secrets"].c_str()).as_array();
  }
  return secrets;
}

constexpr const char* kHandTheSecret =
    "Give each webhook's signing secret to whoever runs its receiver: it checks the\n"
    "webhook-signature header with it (Standard Webhooks). creditctl webhook list shows\n"
    "them again; creditctl webhook rotate replaces one.\n";

// The contacts just stored, each with its channel and, for a webhook, its signing secrets.
void printContacts(const std::vector<std::string_view>& contacts,
                   const std::map<std::string, boost::json::array>& secrets, std::ostream& out) {
  TextTable table({{"CHANNEL"}, {"CONTACT"}, {"SIGNING SECRET (VALID NOW)"}});
  bool webhooks = false;
  for (std::string_view contact : contacts) {
    const std::string_view kind = channelKind(contact);
    const std::string shown = printableText(contact, 2000);
    const auto found = kind == "webhook"
                           ? secrets.find(std::string(contact.substr(kWebhookPrefix.size())))
                           : secrets.end();
    if (found == secrets.end() || found->second.empty()) {
      table.addRow({std::string(kind), shown, "-"});
      continue;
    }
    webhooks = true;
    bool first = true;
    for (const boost::json::value& secret : found->second) {
      table.addRow({first ? std::string(kind) : "", first ? shown : "",
                    std::string(secret.at("secret").as_string()) + " (" +
                        secretValidity(secret.at("expires")) + ")"});
      first = false;
    }
  }
  table.print(out, "  ");
  if (webhooks) out << kHandTheSecret;
}

// A webhook function's refusal: no such endpoint (P0002, exit 1) or a bad argument (22023, exit 2),
// each with the database's message, which names the tenant and the URL.
[[noreturn]] void rethrowWebhookError(const pqxx::sql_error& e) {
  if (e.sqlstate() == kUnknownTenantState) throw CommandFailed(databaseMessage(e));
  if (e.sqlstate() == kInvalidParameterState) throw UsageError(databaseMessage(e));
  throw;  // called in the handler: rethrows e as it was caught
}

}  // namespace

void tenantAddCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "currency", "contact"});
  line.expectWords(1, "creditctl tenant add ID --currency CUR [--contact TEXT]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const std::string currency = currencyArgument(line.requiredOption("currency"));
  const std::optional<std::string> contact = line.option("contact");
  if (contact) contactArgument(*contact);

  // Another currency for an existing tenant is refused by the database (23505), with a message
  // naming the currency it has; main.cpp reports it as is. Whether a well-formed code is an active
  // ISO 4217 currency is the database's to say (creditgate.currency, sql/013), so every admin's
  // creditctl agrees with it.
  pqxx::nontransaction txn(database.connection());
  std::string outcome;
  try {
    outcome = txn.exec_params1(kAddTenant, tenant, currency,
                               contact ? contact->c_str() : static_cast<const char*>(nullptr))[0]
                  .as<std::string>();
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kUnknownCurrencyState) {
      throw UsageError("--currency " + quoted(currency) +
                       " is not an active ISO 4217 currency code (see "
                       "data/iso4217_currencies_2025.csv or the table creditgate.currency)");
    }
    // The channel rule (creditgate.contact_problem), whose message names the contact.
    if (e.sqlstate() == kInvalidParameterState) throw UsageError(databaseMessage(e));
    throw;
  }
  if (outcome != "created") {
    out << "tenant " << tenant << " already exists (" << currency << ")\n";
    return;
  }
  out << "tenant " << tenant << " created (" << currency << ")\n";
  if (contact) printContacts({*contact}, secretsByUrl(txn, tenant), out);
}

void tenantContactsCommand(const CommandLine& line, Database& database, std::ostream& out) {
  constexpr std::string_view kUsage = "creditctl tenant contacts TENANT CONTACT...";
  line.allowOnly({"dsn"});
  if (line.words().size() < 2) throw UsageError("missing argument; usage: " + std::string(kUsage));
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  std::vector<std::string_view> contacts;
  for (std::size_t i = 1; i < line.words().size(); ++i) {
    contacts.push_back(contactArgument(line.words()[i]));
  }

  // One transaction: the secrets shown are those of the contacts just stored.
  pqxx::work txn(database.connection());
  try {
    txn.exec_params(kSetContacts, tenant, pgTextArray(contacts));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kUnknownTenantState)
      throw CommandFailed("unknown tenant " + quoted(tenant));
    // The channel rule (creditgate.contact_problem), whose message names the contact.
    if (e.sqlstate() == kInvalidParameterState) throw UsageError(databaseMessage(e));
    throw;
  }
  const std::map<std::string, boost::json::array> secrets = secretsByUrl(txn, tenant);
  txn.commit();
  out << "tenant " << tenant << ": " << contacts.size()
      << (contacts.size() == 1 ? " contact" : " contacts") << " (replacing any before)\n";
  printContacts(contacts, secrets, out);
}

void tenantPricingCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "auth-international", "home-market"});
  line.expectWords(1,
                   "creditctl tenant pricing TENANT --auth-international yes|no "
                   "[--home-market NAME]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const bool eligible =
      yesNoArgument("--auth-international", line.requiredOption("auth-international"));
  const std::optional<std::string> home_market = line.option("home-market");
  if (home_market) marketArgument("--home-market", *home_market);
  if (eligible && !home_market) {
    throw UsageError("--auth-international yes needs --home-market NAME (the tenant's own market)");
  }

  pqxx::nontransaction txn(database.connection());
  try {
    txn.exec_params(kSetPricing, tenant, eligible,
                    home_market ? home_market->c_str() : static_cast<const char*>(nullptr));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kUnknownTenantState)
      throw CommandFailed("unknown tenant " + quoted(tenant));
    if (e.sqlstate() == kForeignKeyViolation) {
      throw CommandFailed("unknown market " + quoted(*home_market) +
                          " (creditctl rates show lists the markets)");
    }
    throw;
  }
  out << "tenant " << tenant << ": authentication-international " << (eligible ? "yes" : "no")
      << ", home market " << (home_market ? *home_market : std::string("(none)")) << '\n';
}

void webhookListCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "tenant", "json"});
  line.expectWords(0, "creditctl webhook list [--tenant TENANT] [--json]");
  const std::optional<std::string> tenant = line.option("tenant");
  if (tenant) tenantIdArgument(*tenant);

  pqxx::read_transaction txn(database.connection());
  if (tenant && txn.exec_params(kTenantExists, *tenant).empty()) {
    throw CommandFailed("unknown tenant " + quoted(*tenant));  // not an empty list
  }
  const pqxx::result rows =
      txn.exec_params(kEndpoints, tenant ? tenant->c_str() : static_cast<const char*>(nullptr));
  std::size_t disabled = 0;
  for (const auto& row : rows) disabled += row["disabled_since"].is_null() ? 0 : 1;

  if (line.flag("json")) {
    boost::json::array endpoints;
    for (const auto& row : rows) {
      boost::json::object item;
      item["tenant"] = row["tenant_id"].c_str();
      item["url"] = row["url"].c_str();
      item["contact"] = std::string(kWebhookPrefix) + row["url"].c_str();
      item["state"] = row["disabled_since"].is_null() ? "active" : "disabled";
      item["created"] = row["created"].c_str();
      item["disabled_since"] = jsonText(row["disabled_since"]);
      item["disabled_reason"] = jsonText(row["disabled_reason"]);
      item["secrets"] = boost::json::parse(row["secrets"].c_str());
      endpoints.push_back(std::move(item));
    }
    boost::json::object json;
    json["tenant"] = tenant ? boost::json::value(*tenant) : boost::json::value(nullptr);
    json["count"] = static_cast<std::int64_t>(rows.size());
    json["disabled"] = static_cast<std::int64_t>(disabled);
    json["endpoints"] = std::move(endpoints);
    out << boost::json::serialize(json) << '\n';
    return;
  }

  out << "webhook endpoints" << (tenant ? " of " + *tenant : "") << ": " << rows.size() << " ("
      << disabled << " disabled)\n";
  if (rows.empty()) return;
  TextTable table({{"TENANT"}, {"URL"}, {"STATE"}, {"SIGNING SECRETS (VALID NOW)"}});
  for (const auto& row : rows) {
    const std::string state = row["disabled_since"].is_null()
                                  ? std::string("active")
                                  : "disabled since " + shortTime(row["disabled_since"].c_str()) +
                                        " UTC: " + cellText(row["disabled_reason"], 80);
    const boost::json::array secrets = boost::json::parse(row["secrets"].c_str()).as_array();
    std::vector<std::string> cells = {cellText(row["tenant_id"]), cellText(row["url"], 2000), state,
                                      "-"};
    for (const boost::json::value& secret : secrets) {
      cells.back() = std::string(secret.at("secret").as_string()) + " (" +
                     secretValidity(secret.at("expires")) + ")";
      table.addRow(cells);
      cells = {"", "", "", ""};
    }
    if (secrets.empty()) table.addRow(std::move(cells));
  }
  table.print(out);
  if (disabled > 0) {
    out << "Nothing is sent to a disabled endpoint (it answered 410 Gone) until\n"
        << "creditctl webhook enable TENANT URL.\n";
  }
}

void webhookRotateCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "overlap-hours"});
  line.expectWords(2, "creditctl webhook rotate TENANT URL [--overlap-hours H]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const std::string url = webhookUrlArgument(line.words()[1]);
  const int overlap_hours =
      line.option("overlap-hours")
          ? overlapHoursArgument("--overlap-hours", *line.option("overlap-hours"))
          : kDefaultOverlapHours;

  pqxx::work txn(database.connection());
  std::string secret;
  try {
    secret =
        txn.exec_params1(kRotate, tenant, url, overlap_hours * kMillisPerHour)[0].as<std::string>();
  } catch (const pqxx::sql_error& e) {
    rethrowWebhookError(e);
  }
  const pqxx::row still_valid = txn.exec_params1(kStillValid, tenant, url);
  txn.commit();

  out << "webhook " << printableText(url, 2000) << " of " << tenant
      << ": new signing secret\n\n    " << secret << "\n\n";
  const std::int64_t older = still_valid["secrets"].as<std::int64_t>();
  if (older > 0) {
    out << (older == 1 ? "The previous secret stays" : "The previous secrets stay")
        << " valid until " << shortTime(still_valid["until"].c_str()) << " UTC (" << overlap_hours
        << (overlap_hours == 1 ? " hour" : " hours") << "):\n"
        << "each delivery is signed with both meanwhile, so the receiver can switch to the\n"
        << "new one at its own pace.\n";
  } else {
    out << "No older secret signs any more: the receiver must check with the new one now.\n";
  }
  out << "Give the new secret to whoever runs the receiver.\n";
}

void webhookEnableCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn"});
  line.expectWords(2, "creditctl webhook enable TENANT URL");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const std::string url = webhookUrlArgument(line.words()[1]);

  pqxx::work txn(database.connection());
  const pqxx::result before = txn.exec_params(kEndpointState, tenant, url);
  try {
    txn.exec_params(kEnable, tenant, url);
  } catch (const pqxx::sql_error& e) {
    rethrowWebhookError(e);
  }
  txn.commit();

  const std::string shown = printableText(url, 2000);
  if (before.empty() || before[0]["disabled_since"].is_null()) {
    out << "webhook " << shown << " of " << tenant << " was not disabled (nothing changed)\n";
    return;
  }
  out << "webhook " << shown << " of " << tenant << " enabled (disabled since "
      << shortTime(before[0]["disabled_since"].c_str())
      << " UTC: " << cellText(before[0]["disabled_reason"], 200) << ")\n"
      << "New events are delivered to it again; deliveries disabled meanwhile stay so\n"
      << "(creditctl events shows them).\n";
}

}  // namespace creditgate::ctl
