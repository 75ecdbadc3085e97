// creditctl limits and limits set: the limits every top-up is held to (creditgate.topup_limits,
// sql/013), in micro-units of each tenant's own currency. They change only through
// creditgate.set_topup_limits, which has the last word on what a sane limit is.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "arguments.hpp"
#include "commands.hpp"
#include "decimal_micros.hpp"
#include "report_fields.hpp"

namespace creditgate::ctl {
namespace {

#define LIMIT_COLUMNS                                                                        \
  "max_topup_micros, max_balance_micros,"                                                    \
  " to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS changed_at," \
  " changed_by"
constexpr const char* kLimits = "SELECT " LIMIT_COLUMNS " FROM creditgate.topup_limits";
// NULL keeps a limit as it is.
constexpr const char* kSetLimits =
    "SELECT " LIMIT_COLUMNS " FROM creditgate.set_topup_limits($1, $2)";
#undef LIMIT_COLUMNS

// set_topup_limits refuses a limit that is not sane (above 2^53 - 1 micro-units, a top-up limit
// above the balance limit), naming the values: a bad argument, exit 2.
constexpr const char* kInvalidParameterState = "22023";

void printLimits(const pqxx::row& row, bool json_wanted, std::ostream& out) {
  const auto max_topup = row["max_topup_micros"].as<std::int64_t>();
  const auto max_balance = row["max_balance_micros"].as<std::int64_t>();
  if (json_wanted) {
    boost::json::object json;
    putMoney(json, "max_topup", max_topup);
    putMoney(json, "max_balance", max_balance);
    json["changed_at"] = row["changed_at"].c_str();
    json["changed_by"] = row["changed_by"].c_str();
    out << boost::json::serialize(json) << '\n';
    return;
  }
  out << "top-up limits, in each tenant's own currency:\n"
      << "  one top-up   " << formatMicros(max_topup) << '\n'
      << "  balance      " << formatMicros(max_balance) << '\n'
      << "  changed      " << shortTime(row["changed_at"].c_str()) << " UTC by "
      << cellText(row["changed_by"]) << '\n';
}

}  // namespace

void limitsCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "json"});
  line.expectWords(0, "creditctl limits [--json]");
  pqxx::nontransaction txn(database.connection());
  printLimits(txn.exec1(kLimits), line.flag("json"), out);
}

void limitsSetCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "max-topup", "max-balance", "json"});
  line.expectWords(0, "creditctl limits set [--max-topup AMOUNT] [--max-balance AMOUNT] [--json]");
  std::optional<std::int64_t> max_topup;
  std::optional<std::int64_t> max_balance;
  if (auto text = line.option("max-topup")) {
    max_topup = positiveAmountArgument("--max-topup", *text);
  }
  if (auto text = line.option("max-balance")) {
    max_balance = positiveAmountArgument("--max-balance", *text);
  }
  if (!max_topup && !max_balance) {
    throw UsageError("give --max-topup or --max-balance (or both), exact decimals such as 5000");
  }

  // libpqxx 6.4 binds no std::optional: each limit as its decimal text, or NULL.
  const std::string topup_text = max_topup ? std::to_string(*max_topup) : std::string();
  const std::string balance_text = max_balance ? std::to_string(*max_balance) : std::string();
  pqxx::nontransaction txn(database.connection());
  pqxx::row row;
  try {
    row = txn.exec_params1(kSetLimits, max_topup ? topup_text.c_str() : nullptr,
                           max_balance ? balance_text.c_str() : nullptr);
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kInvalidParameterState) throw UsageError(databaseMessage(e));
    throw;  // e.g. permission denied for a role that is not creditgate_admin: exit 1
  }
  if (line.flag("json")) {
    printLimits(row, true, out);
    return;
  }
  out << "top-up limits set: one top-up "
      << formatMicros(row["max_topup_micros"].as<std::int64_t>()) << ", balance "
      << formatMicros(row["max_balance_micros"].as<std::int64_t>())
      << " (in each tenant's own currency)\n";
}

}  // namespace creditgate::ctl
