// creditctl webhook list, rotate and enable: the webhook endpoints a tenant's webhook contacts get,
// with the signing secrets their receivers check (sql/023: rotate_webhook_secret, enable_webhook).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "commands.hpp"
#include "quoted_text.hpp"
#include "report_fields.hpp"
#include "text_table.hpp"
#include "webhook_endpoints.hpp"

namespace creditgate::ctl {
namespace {

// A timestamptz as "2026-07-01T12:34:56.123456Z" (UTC), as every report writes times.
#define UTC_TIME(expression) \
  "to_char(" expression " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

constexpr const char* kTenantExists = "SELECT FROM creditgate.tenant WHERE tenant_id = $1";

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

constexpr const char* kUnknownTenantState = "P0002";     // no such endpoint
constexpr const char* kInvalidParameterState = "22023";  // e.g. an overlap out of range
constexpr std::int64_t kMillisPerHour = 3'600'000;
constexpr int kDefaultOverlapHours = 24;

// A webhook function's refusal: no such endpoint (P0002, exit 1) or a bad argument (22023, exit 2),
// each with the database's message, which names the tenant and the URL.
[[noreturn]] void rethrowWebhookError(const pqxx::sql_error& e) {
  if (e.sqlstate() == kUnknownTenantState) throw CommandFailed(databaseMessage(e));
  if (e.sqlstate() == kInvalidParameterState) throw UsageError(databaseMessage(e));
  throw;  // called in the handler: rethrows e as it was caught
}

}  // namespace

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
