// creditctl topup and balance: the money of one tenant, always as exact micro-units.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "arguments.hpp"
#include "commands.hpp"
#include "quoted_text.hpp"
#include "report_fields.hpp"
#include "webhook_endpoints.hpp"

namespace creditgate::ctl {
namespace {

constexpr const char* kTopup =
    "SELECT entry_id, balance_after_micros, replayed, currency"
    "  FROM creditgate.topup($1, $2, $3, $4)";

// One statement, so balance and spending come from one snapshot. The account is read as the
// plugin's balance() reads it (creditgate.tenant_account, sql/016), so both show the same "spent
// today": debits less the refunds of failed deliveries and the voids of debits no host was told
// of, since midnight UTC.
constexpr const char* kBalance =
    "SELECT a.currency, a.balance_micros, a.spent_today_micros,"
    "       coalesce(array_to_json(t.contacts), '[]')::text AS contacts"
    "  FROM creditgate.tenant_account($1) a"
    "  JOIN creditgate.tenant t ON t.tenant_id = $1";

// A contact as the text output shows it: a webhook as scheme://host[:port]/path, without the query
// or fragment (either may carry a token) or a user name; untrusted bytes as printableText writes
// them. The JSON output has every contact as stored.
std::string contactShown(std::string_view contact) {
  constexpr std::size_t kMaxChars = 2000;  // sql/023's contact_problem
  if (!contact.starts_with(kWebhookPrefix)) return printableText(contact, kMaxChars);
  std::string_view url = contact.substr(kWebhookPrefix.size());
  url = url.substr(0, url.find_first_of("?#"));
  std::string shown(url);
  if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t path = std::min(url.find('/', start), url.size());
    const std::size_t at = url.substr(start, path - start).rfind('@');
    if (at != std::string_view::npos) {
      shown = std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
    }
  }
  return printableText(std::string(kWebhookPrefix) + shown, kMaxChars);
}

constexpr const char* kUnknownTenantState = "P0002";  // raised by creditgate.topup
// Raised by creditgate.topup for an amount over the top-up limits (sql/013), with a message naming
// the amount and the limit in the tenant's currency: a bad argument, exit 2.
constexpr const char* kOverLimitState = "CGLIM";

}  // namespace

void topupCommand(const CommandLine& line, Database& database, std::ostream& out) {
  constexpr const char* kUsage = "creditctl topup TENANT AMOUNT --ref REF [--note TEXT] [--json]";
  line.allowOnly({"dsn", "ref", "note", "json"});
  line.expectWords(2, kUsage);
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const std::int64_t amount = positiveAmountArgument("AMOUNT", line.words()[1]);
  const std::string reference = referenceArgument(line.requiredOption("ref"));
  const std::optional<std::string> note = line.option("note");

  pqxx::nontransaction txn(database.connection());
  pqxx::result result;
  try {
    result = txn.exec_params_n(1, kTopup, tenant, amount, reference,
                               note ? note->c_str() : static_cast<const char*>(nullptr));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kUnknownTenantState)
      throw CommandFailed("unknown tenant " + quoted(tenant));
    if (e.sqlstate() == kOverLimitState) throw UsageError(databaseMessage(e));
    throw;  // e.g. the reference was used with another amount: the database's message says so
  }
  const pqxx::row row = result[0];
  const auto balance = row["balance_after_micros"].as<std::int64_t>();
  const auto currency = row["currency"].as<std::string>();
  if (line.flag("json")) {
    boost::json::object json;
    json["tenant"] = tenant;
    json["currency"] = currency;
    json["reference"] = reference;
    json["replayed"] = row["replayed"].as<bool>();
    json["entry_id"] = row["entry_id"].as<std::int64_t>();
    putMoney(json, "amount", amount);
    putMoney(json, "balance", balance);
    out << boost::json::serialize(json) << '\n';
    return;
  }
  if (row["replayed"].as<bool>()) {
    out << "top-up ref " << reference << " was already applied: balance "
        << money(balance, currency) << " (nothing changed)\n";
  } else {
    out << "topped up " << tenant << " by " << money(amount, currency) << ": balance "
        << money(balance, currency) << " (entry " << row["entry_id"].as<std::int64_t>() << ")\n";
  }
}

void balanceCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "json"});
  line.expectWords(1, "creditctl balance TENANT [--json]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);

  pqxx::nontransaction txn(database.connection());
  const pqxx::result result = txn.exec_params(kBalance, tenant);
  if (result.empty()) throw CommandFailed("unknown tenant " + quoted(tenant));
  const pqxx::row row = result[0];
  const auto currency = row["currency"].as<std::string>();
  const auto balance = row["balance_micros"].as<std::int64_t>();
  const auto spent_today = row["spent_today_micros"].as<std::int64_t>();
  // Every contact, each a notification channel (sql/023), in the tenant's order.
  const boost::json::array contacts = boost::json::parse(row["contacts"].c_str()).as_array();
  // A balance never goes below minus the overdraft limit (a bigint): negating it cannot overflow.
  const std::int64_t debt = balance < 0 ? -balance : 0;

  if (line.flag("json")) {
    boost::json::object json;
    json["tenant"] = tenant;
    json["currency"] = currency;
    putMoney(json, "balance", balance);
    putMoney(json, "debt", debt);
    putMoney(json, "spent_today", spent_today);
    json["contacts"] = contacts;
    // The first contact, as before a tenant had several: for readers written then.
    json["contact"] = contacts.empty() ? boost::json::value(nullptr) : contacts.front();
    out << boost::json::serialize(json) << '\n';
    return;
  }
  out << "tenant       " << tenant << '\n'
      << "currency     " << currency << '\n'
      << "balance      " << money(balance, currency) << '\n'
      << "debt         " << money(debt, currency) << '\n'
      << "spent today  " << money(spent_today, currency) << '\n'
      << "contacts     ";
  if (contacts.empty()) out << "(none)";
  for (std::size_t i = 0; i < contacts.size(); ++i) {
    out << (i == 0 ? "" : ", ") << contactShown(contacts[i].as_string());
  }
  out << '\n';
}

}  // namespace creditgate::ctl
