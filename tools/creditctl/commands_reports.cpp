// creditctl ledger, batches and events: what the money functions recorded, read with the admin
// role's SELECT rights. Each shows the newest --limit rows that match, oldest first, and says when
// more matched; --json prints the same as one document.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "arguments.hpp"
#include "commands.hpp"
#include "decimal_micros.hpp"
#include "quoted_text.hpp"
#include "report_fields.hpp"
#include "text_table.hpp"

namespace creditgate::ctl {
namespace {

// A timestamptz column as "2026-07-01T12:34:56.123456Z" (UTC). `column` is a literal of this file.
#define UTC_TIME(column) \
  "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
// From midnight UTC of the --since day ($2, NULL: from the beginning).
#define SINCE(column) "($2::date IS NULL OR " column " >= ($2::date::timestamp AT TIME ZONE 'UTC'))"

constexpr int kDefaultLimit = 100;
constexpr std::size_t kMaxDeliveriesChars = 200;  // the events table's DELIVERIES cell

constexpr const char* kTenantCurrency =
    "SELECT currency FROM creditgate.tenant WHERE tenant_id = $1";

// The newest $3 entries from --since, oldest first; `matching` counts all that match (the window
// is computed before the LIMIT).
constexpr const char* kLedger =
    "SELECT entry_id, " UTC_TIME("created_at") " AS time, kind, amount_micros,"
    "       balance_after_micros, batch_id, recipient, reference, note, matching"
    "  FROM (SELECT l.*, count(*) OVER () AS matching FROM creditgate.ledger_entry l"
    "         WHERE l.tenant_id = $1 AND " SINCE("l.created_at")
    "         ORDER BY l.entry_id DESC LIMIT $3) newest"
    " ORDER BY entry_id";

constexpr const char* kRefusals =
    "SELECT refusal_id, " UTC_TIME("refused_at") " AS time, batch_id, campaign_id, category,"
    "       recipient_count, reason, policy, price_micros::text AS price_micros, balance_micros,"
    "       shortfall_micros::text AS shortfall_micros, matching"
    "  FROM (SELECT r.*, count(*) OVER () AS matching FROM creditgate.batch_refusal r"
    "         WHERE r.tenant_id = $1 AND " SINCE("r.refused_at")
    "         ORDER BY r.refusal_id DESC LIMIT $3) newest"
    " ORDER BY refusal_id";

// Allowed batches with one decision ($4); held = the recipients a partial batch did not send.
// $4: the decision listed (allow_flagged, allow_partial), or 'voided': the batches whose debit was
// given back because their decision stayed in doubt (time: when it was voided).
constexpr const char* kBatches =
    "SELECT batch_id, " UTC_TIME("CASE WHEN $4 = 'voided' THEN voided_at ELSE decided_at END")
    " AS time, campaign_id, category,"
    "       cardinality(recipients) AS recipients_total, recipients_allowed,"
    "       (SELECT count(*) FROM creditgate.held_recipient h"
    "         WHERE h.tenant_id = b.tenant_id AND h.batch_id = b.batch_id) AS held,"
    "       charged_micros, balance_after_micros, reason, policy, matching"
    "  FROM (SELECT b.*, count(*) OVER () AS matching FROM creditgate.batch b"
    "         WHERE b.tenant_id = $1 AND " SINCE("b.decided_at")
    "           AND CASE WHEN $4 = 'voided' THEN b.voided_at IS NOT NULL"
    "                    ELSE b.decision = $4 AND b.voided_at IS NULL END"
    "         ORDER BY b.decided_at DESC, b.batch_id DESC LIMIT $3) b"
    " ORDER BY decided_at, batch_id";

// payload_exact: the payload with each number whose key ends in _micros as a string of its exact
// digits (a refused price is numeric and may not even fit in int64), for --json; payload as stored
// for the text table. The delivery record (sql/023): one row per channel the event was fanned out
// to, as a JSON array (deliveries), with attempts summed, the most recent error and the earliest
// pending retry. An event without deliveries is either pending, not fanned out yet, or was sent by
// the relay before sql/023: then its own attempts and error are what there is.
constexpr const char* kEvents =
    "SELECT e.event_id, e.tenant_id, e.type, " UTC_TIME("e.created_at") " AS created,"
    "       CASE WHEN d.total > 0 THEN d.attempts ELSE e.attempts END AS attempts,"
    "       " UTC_TIME("e.sent_at") " AS sent, " UTC_TIME("d.next_attempt") " AS next_attempt,"
    "       CASE WHEN d.total > 0 THEN d.last_error ELSE e.last_error END AS last_error,"
    "       d.deliveries::text AS deliveries,"
    "       e.payload::text AS payload,"
    "       CASE WHEN jsonb_typeof(e.payload) = 'object' THEN"
    "         (SELECT coalesce(jsonb_object_agg(p.key,"
    "                   CASE WHEN right(p.key, 7) = '_micros' AND jsonb_typeof(p.value) = 'number'"
    "                        THEN to_jsonb(p.value #>> '{}') ELSE p.value END), '{}')"
    "            FROM jsonb_each(e.payload) p)"
    "         ELSE e.payload END::text AS payload_exact,"
    "       e.matching"
    "  FROM (SELECT e.*, count(*) OVER () AS matching FROM creditgate.outbox_event e"
    "         WHERE ($1::text IS NULL OR e.tenant_id = $1) AND (NOT $2 OR e.sent_at IS NULL)"
    "         ORDER BY e.event_id DESC LIMIT $3) e"
    "  CROSS JOIN LATERAL"
    "       (SELECT count(*) AS total, sum(n.attempts) AS attempts,"
    "               min(n.available_at) FILTER (WHERE n.state = 'pending') AS next_attempt,"
    "               (array_agg(n.last_error ORDER BY n.last_attempt_at DESC NULLS LAST)"
    "                  FILTER (WHERE n.last_error IS NOT NULL))[1] AS last_error,"
    "               coalesce(json_agg(json_build_object("
    "                 'channel', n.channel, 'kind', n.kind, 'state', n.state,"
    "                 'attempts', n.attempts, 'last_status', n.last_status,"
    "                 'last_error', n.last_error,"
    "                 'delivered', " UTC_TIME("n.delivered_at") ","
    "                 'next_attempt', " UTC_TIME("CASE WHEN n.state = 'pending' THEN n.available_at END")
    "               ) ORDER BY n.channel), '[]') AS deliveries"
    "          FROM creditgate.notification_delivery n"
    "         WHERE n.tenant_id = e.tenant_id AND n.event_id = e.event_id) d"
    " ORDER BY e.event_id";

#undef SINCE
#undef UTC_TIME

const char* nullable(const std::optional<std::string>& text) {
  return text ? text->c_str() : static_cast<const char*>(nullptr);
}

std::int64_t matchingOf(const pqxx::result& result) {
  return result.empty() ? 0 : result[0]["matching"].as<std::int64_t>();
}

// The tenant's currency; CommandFailed (exit 1) for an unknown tenant.
std::string currencyOf(pqxx::transaction_base& txn, const std::string& tenant) {
  const pqxx::result result = txn.exec_params(kTenantCurrency, tenant);
  if (result.empty()) throw CommandFailed("unknown tenant " + quoted(tenant));
  return result[0][0].as<std::string>();
}

struct Window {
  std::optional<std::string> since;  // YYYY-MM-DD
  int limit = kDefaultLimit;
};

Window windowArguments(const CommandLine& line) {
  Window window;
  if (auto since = line.option("since")) window.since = dateArgument("--since", *since).iso();
  if (auto limit = line.option("limit")) window.limit = limitArgument("--limit", *limit);
  return window;
}

void putWindow(boost::json::object& json, const Window& window, std::size_t shown,
               std::int64_t matching) {
  json["since"] = window.since ? boost::json::value(*window.since) : boost::json::value(nullptr);
  json["limit"] = window.limit;
  json["matching"] = matching;
  json["shown"] = shown;
  json["truncated"] = static_cast<std::int64_t>(shown) < matching;
}

std::string sinceText(const Window& window) {
  return window.since ? " since " + *window.since : std::string();
}

// An event's payload for --json (payload_exact): beside each X_micros amount, X as its exact
// decimal, as every report writes amounts.
boost::json::value eventPayload(const char* payload_exact) {
  boost::json::value payload = boost::json::parse(payload_exact);
  if (!payload.is_object()) return payload;
  boost::json::object amounts;
  for (const auto& member : payload.as_object()) {
    const std::string_view key = member.key();
    if (!key.ends_with("_micros") || !member.value().is_string()) continue;
    const std::string_view name = key.substr(0, key.size() - 7);
    if (!payload.as_object().contains(name)) {
      putMoneyText(amounts, name, member.value().as_string());
    }
  }
  for (const auto& amount : amounts) payload.as_object()[amount.key()] = amount.value();
  return payload;
}

// --- ledger ---

void printLedger(const pqxx::result& rows, const std::string& tenant, const std::string& currency,
                 const Window& window, std::ostream& out) {
  const std::int64_t matching = matchingOf(rows);
  out << "ledger of " << tenant << " (" << currency << ")" << sinceText(window) << ": " << matching
      << (matching == 1 ? " entry" : " entries") << '\n';
  if (static_cast<std::int64_t>(rows.size()) < matching) {
    out << truncationNotice(rows.size(), matching, "entries") << '\n';
  }
  if (rows.empty()) return;
  using Align = TextTable::Align;
  TextTable table({{"ENTRY", Align::right},
                   {"TIME (UTC)"},
                   {"KIND"},
                   {"AMOUNT", Align::right},
                   {"BALANCE AFTER", Align::right},
                   {"BATCH"},
                   {"RECIPIENT"},
                   {"REFERENCE"}});
  for (const auto& row : rows) {
    table.addRow({row["entry_id"].c_str(), shortTime(row["time"].c_str()), row["kind"].c_str(),
                  formatMicros(row["amount_micros"].as<std::int64_t>()),
                  formatMicros(row["balance_after_micros"].as<std::int64_t>()),
                  cellText(row["batch_id"]), cellText(row["recipient"]),
                  cellText(row["reference"])});
  }
  table.print(out);
}

// --- batches ---

enum class BatchStatus { blocked, flagged, partial, voided };

BatchStatus statusArgument(const std::string& text) {
  if (text == "blocked") return BatchStatus::blocked;
  if (text == "flagged") return BatchStatus::flagged;
  if (text == "partial") return BatchStatus::partial;
  if (text == "voided") return BatchStatus::voided;
  throw UsageError("--status " + quoted(text) + " must be blocked, flagged, partial or voided");
}

const char* statusName(BatchStatus status) {
  switch (status) {
    case BatchStatus::blocked: return "blocked";
    case BatchStatus::flagged: return "flagged";
    case BatchStatus::partial: return "partial";
    case BatchStatus::voided: return "voided";
  }
  return "flagged";
}

void printRefusals(const pqxx::result& rows, const std::string& tenant, const std::string& currency,
                   const Window& window, bool json_wanted, std::ostream& out) {
  const std::int64_t matching = matchingOf(rows);
  if (json_wanted) {
    boost::json::array list;
    for (const auto& row : rows) {
      boost::json::object item;
      item["refusal_id"] = row["refusal_id"].as<std::int64_t>();
      item["time"] = row["time"].c_str();
      item["batch_id"] = row["batch_id"].c_str();
      item["campaign_id"] = row["campaign_id"].c_str();
      item["category"] = row["category"].c_str();
      item["recipients"] = row["recipient_count"].as<std::int64_t>();
      item["reason"] = row["reason"].c_str();
      item["policy"] = row["policy"].c_str();
      // Price and shortfall are numeric: a refused price may not fit in int64 micro-units.
      putMoneyText(item, "price", row["price_micros"].c_str());
      putMoney(item, "balance", row["balance_micros"].as<std::int64_t>());
      putMoneyText(item, "shortfall", row["shortfall_micros"].c_str());
      list.push_back(std::move(item));
    }
    boost::json::object json;
    json["tenant"] = tenant;
    json["currency"] = currency;
    json["status"] = "blocked";
    putWindow(json, window, rows.size(), matching);
    json["batches"] = std::move(list);
    out << boost::json::serialize(json) << '\n';
    return;
  }
  out << "blocked batches of " << tenant << " (" << currency << ")" << sinceText(window) << ": "
      << matching << '\n';
  if (static_cast<std::int64_t>(rows.size()) < matching) {
    out << truncationNotice(rows.size(), matching, "refusals") << '\n';
  }
  if (rows.empty()) return;
  using Align = TextTable::Align;
  TextTable table({{"BATCH"},
                   {"TIME (UTC)"},
                   {"CAMPAIGN"},
                   {"CATEGORY"},
                   {"RECIPIENTS", Align::right},
                   {"PRICE", Align::right},
                   {"BALANCE THEN", Align::right},
                   {"SHORTFALL", Align::right},
                   {"REASON"}});
  for (const auto& row : rows) {
    table.addRow({cellText(row["batch_id"]), shortTime(row["time"].c_str()),
                  cellText(row["campaign_id"]), row["category"].c_str(),
                  row["recipient_count"].c_str(), microsText(row["price_micros"].c_str()),
                  formatMicros(row["balance_micros"].as<std::int64_t>()),
                  microsText(row["shortfall_micros"].c_str()), row["reason"].c_str()});
  }
  table.print(out);
}

void printAllowed(const pqxx::result& rows, BatchStatus status, const std::string& tenant,
                  const std::string& currency, const Window& window, bool json_wanted,
                  std::ostream& out) {
  const std::int64_t matching = matchingOf(rows);
  const bool partial = status == BatchStatus::partial;
  if (json_wanted) {
    boost::json::array list;
    for (const auto& row : rows) {
      boost::json::object item;
      item["batch_id"] = row["batch_id"].c_str();
      item["time"] = row["time"].c_str();
      item["campaign_id"] = row["campaign_id"].c_str();
      item["category"] = row["category"].c_str();
      item["recipients_total"] = row["recipients_total"].as<std::int64_t>();
      item["recipients_allowed"] = row["recipients_allowed"].as<std::int64_t>();
      item["held"] = row["held"].as<std::int64_t>();
      putMoney(item, "charged", row["charged_micros"].as<std::int64_t>());
      putMoney(item, "balance_after", row["balance_after_micros"].as<std::int64_t>());
      item["reason"] = row["reason"].c_str();
      item["policy"] = row["policy"].c_str();
      list.push_back(std::move(item));
    }
    boost::json::object json;
    json["tenant"] = tenant;
    json["currency"] = currency;
    json["status"] = statusName(status);
    putWindow(json, window, rows.size(), matching);
    json["batches"] = std::move(list);
    out << boost::json::serialize(json) << '\n';
    return;
  }
  const char* title =
      partial ? "partially sent"
      : status == BatchStatus::voided
          ? "voided (decided while the gateway lost the answer; no host was told to send)"
          : "flagged (sent into the overdraft, or unverified during an outage)";
  out << title << " batches of " << tenant << " (" << currency << ")" << sinceText(window) << ": "
      << matching << '\n';
  if (static_cast<std::int64_t>(rows.size()) < matching) {
    out << truncationNotice(rows.size(), matching, "batches") << '\n';
  }
  if (rows.empty()) return;
  using Align = TextTable::Align;
  std::vector<TextTable::Column> columns = {{"BATCH"}, {"TIME (UTC)"}, {"CAMPAIGN"}, {"CATEGORY"}};
  if (partial) {
    columns.push_back({"ALLOWED", Align::right});
    columns.push_back({"HELD", Align::right});
  } else {
    columns.push_back({"RECIPIENTS", Align::right});
  }
  columns.push_back({status == BatchStatus::voided ? "GIVEN BACK" : "CHARGED", Align::right});
  columns.push_back({"BALANCE AFTER", Align::right});
  if (!partial) columns.push_back({"REASON"});
  TextTable table(std::move(columns));
  for (const auto& row : rows) {
    std::vector<std::string> cells = {cellText(row["batch_id"]), shortTime(row["time"].c_str()),
                                      cellText(row["campaign_id"]), row["category"].c_str()};
    if (partial) {
      cells.push_back(std::string(row["recipients_allowed"].c_str()) + "/" +
                      row["recipients_total"].c_str());
      cells.push_back(row["held"].c_str());
    } else {
      cells.push_back(row["recipients_total"].c_str());
    }
    cells.push_back(formatMicros(row["charged_micros"].as<std::int64_t>()));
    cells.push_back(formatMicros(row["balance_after_micros"].as<std::int64_t>()));
    if (!partial) cells.push_back(row["reason"].c_str());
    table.addRow(std::move(cells));
  }
  table.print(out);
}

// --- events ---

// A delivery's channel as the text table shows it: the host's notify() of a tenant that listed no
// contact has the channel ''.
std::string channelText(std::string_view channel) {
  return channel.empty() ? std::string("host") : std::string(channel);
}

// An event's delivery record in one cell: "email:ops@acme.example delivered; webhook:https://h/x
// pending 3x (500)", with the attempts and the last SMTP or HTTP status of those not delivered.
// None: not fanned out yet when pending, else sent by the relay before sql/023 ("-").
std::string deliveriesCell(const boost::json::array& deliveries, bool sent) {
  if (deliveries.empty()) return sent ? "-" : "not fanned out yet";
  std::string cell;
  for (const boost::json::value& item : deliveries) {
    const boost::json::object& delivery = item.as_object();
    const std::string_view state = delivery.at("state").as_string();
    if (!cell.empty()) cell += "; ";
    cell += channelText(delivery.at("channel").as_string()) + " " + std::string(state);
    if (state == "delivered") continue;
    if (const std::int64_t attempts = delivery.at("attempts").to_number<std::int64_t>();
        attempts > 0) {
      cell += " " + std::to_string(attempts) + "x";
    }
    if (const boost::json::value& status = delivery.at("last_status"); !status.is_null()) {
      cell += " (" + std::to_string(status.to_number<std::int64_t>()) + ")";
    }
  }
  return printableText(cell, kMaxDeliveriesChars);
}

}  // namespace

void ledgerCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "since", "limit", "json"});
  line.expectWords(1, "creditctl ledger TENANT [--since DATE] [--limit N] [--json]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const Window window = windowArguments(line);

  pqxx::read_transaction txn(database.connection());  // one snapshot for both statements
  const std::string currency = currencyOf(txn, tenant);
  const pqxx::result rows = txn.exec_params(kLedger, tenant, nullable(window.since), window.limit);

  if (!line.flag("json")) {
    printLedger(rows, tenant, currency, window, out);
    return;
  }
  boost::json::array entries;
  for (const auto& row : rows) {
    boost::json::object entry;
    entry["entry_id"] = row["entry_id"].as<std::int64_t>();
    entry["time"] = row["time"].c_str();
    entry["kind"] = row["kind"].c_str();
    putMoney(entry, "amount", row["amount_micros"].as<std::int64_t>());
    putMoney(entry, "balance_after", row["balance_after_micros"].as<std::int64_t>());
    entry["batch_id"] = jsonText(row["batch_id"]);
    entry["recipient"] = jsonText(row["recipient"]);
    entry["reference"] = jsonText(row["reference"]);
    entry["note"] = jsonText(row["note"]);
    entries.push_back(std::move(entry));
  }
  boost::json::object json;
  json["tenant"] = tenant;
  json["currency"] = currency;
  putWindow(json, window, rows.size(), matchingOf(rows));
  json["entries"] = std::move(entries);
  out << boost::json::serialize(json) << '\n';
}

void batchesCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "status", "since", "limit", "json"});
  line.expectWords(
      1,
      "creditctl batches TENANT --status blocked|flagged|partial|voided [--since DATE] "
      "[--limit N] [--json]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const BatchStatus status = statusArgument(line.requiredOption("status"));
  const Window window = windowArguments(line);

  pqxx::read_transaction txn(database.connection());
  const std::string currency = currencyOf(txn, tenant);
  if (status == BatchStatus::blocked) {
    const pqxx::result rows =
        txn.exec_params(kRefusals, tenant, nullable(window.since), window.limit);
    printRefusals(rows, tenant, currency, window, line.flag("json"), out);
    return;
  }
  const char* decision = status == BatchStatus::flagged   ? "allow_flagged"
                         : status == BatchStatus::partial ? "allow_partial"
                                                          : "voided";
  const pqxx::result rows =
      txn.exec_params(kBatches, tenant, nullable(window.since), window.limit, decision);
  printAllowed(rows, status, tenant, currency, window, line.flag("json"), out);
}

void eventsCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "pending", "tenant", "limit", "json"});
  line.expectWords(0, "creditctl events [--pending] [--tenant TENANT] [--limit N] [--json]");
  std::optional<std::string> tenant = line.option("tenant");
  if (tenant) tenantIdArgument(*tenant);
  const bool pending_only = line.flag("pending");
  const int limit =
      line.option("limit") ? limitArgument("--limit", *line.option("limit")) : kDefaultLimit;

  pqxx::read_transaction txn(database.connection());
  if (tenant) currencyOf(txn, *tenant);  // an unknown tenant is exit 1, not an empty list
  const pqxx::result rows = txn.exec_params(kEvents, nullable(tenant), pending_only, limit);
  const std::int64_t matching = matchingOf(rows);

  if (line.flag("json")) {
    boost::json::array events;
    for (const auto& row : rows) {
      boost::json::object event;
      event["event_id"] = row["event_id"].as<std::int64_t>();
      event["tenant"] = row["tenant_id"].c_str();
      event["type"] = row["type"].c_str();
      event["created"] = row["created"].c_str();
      event["attempts"] = row["attempts"].as<std::int64_t>();
      event["pending"] = row["sent"].is_null();
      event["sent"] = jsonText(row["sent"]);
      event["next_attempt"] =
          row["sent"].is_null() ? jsonText(row["next_attempt"]) : boost::json::value(nullptr);
      event["last_error"] = jsonText(row["last_error"]);
      event["deliveries"] = boost::json::parse(row["deliveries"].c_str());
      event["payload"] = eventPayload(row["payload_exact"].c_str());
      events.push_back(std::move(event));
    }
    boost::json::object json;
    json["tenant"] = tenant ? boost::json::value(*tenant) : boost::json::value(nullptr);
    json["pending_only"] = pending_only;
    json["limit"] = limit;
    json["matching"] = matching;
    json["shown"] = rows.size();
    json["truncated"] = static_cast<std::int64_t>(rows.size()) < matching;
    json["events"] = std::move(events);
    out << boost::json::serialize(json) << '\n';
    return;
  }

  out << (pending_only ? "pending events" : "events") << (tenant ? " of " + *tenant : "") << ": "
      << matching << '\n';
  if (static_cast<std::int64_t>(rows.size()) < matching) {
    out << truncationNotice(rows.size(), matching, "events") << '\n';
  }
  if (rows.empty()) return;
  using Align = TextTable::Align;
  TextTable table({{"EVENT", Align::right},
                   {"TENANT"},
                   {"TYPE"},
                   {"CREATED (UTC)"},
                   {"ATTEMPTS", Align::right},
                   {"SENT (UTC)"},
                   {"DELIVERIES"},
                   {"LAST ERROR"},
                   {"PAYLOAD"}});
  for (const auto& row : rows) {
    const bool sent = !row["sent"].is_null();
    table.addRow({row["event_id"].c_str(), cellText(row["tenant_id"]), row["type"].c_str(),
                  shortTime(row["created"].c_str()), row["attempts"].c_str(),
                  sent ? shortTime(row["sent"].c_str()) : "pending",
                  deliveriesCell(boost::json::parse(row["deliveries"].c_str()).as_array(), sent),
                  cellText(row["last_error"], 40), cellText(row["payload"], 400)});
  }
  table.print(out);
}

}  // namespace creditgate::ctl
