// creditctl user add, list, reset and disable: the billing portal's users (sql/018). creditctl
// makes each password, prints it once and hands the database only its Argon2id hash
// (server/auth/password.hpp), so the password exists nowhere but in this command's output.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "arguments.hpp"
#include "commands.hpp"
#include "password.hpp"
#include "report_fields.hpp"
#include "text_table.hpp"

namespace creditgate::ctl {
namespace {

// A timestamptz as "2026-07-01T12:34:56.123456Z" (UTC), as every report writes times.
#define UTC_TIME(expression) \
  "to_char(" expression " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

constexpr const char* kAddUser =
    "SELECT " UTC_TIME("creditgate.add_portal_user($1, $2, $3)") " AS created_at";
constexpr const char* kResetPassword = "SELECT creditgate.reset_portal_password($1, $2)";
constexpr const char* kDisableUser = "SELECT creditgate.disable_portal_user($1)";
// In the disabling transaction: disabled_at = now() exactly when this transaction disabled it.
constexpr const char* kDisabledUser =
    "SELECT role, " UTC_TIME("disabled_at") " AS disabled_at, disabled_at = now() AS just_now"
    "  FROM creditgate.portal_user WHERE email = $1";
constexpr const char* kUserState =
    "SELECT role, disabled_at IS NOT NULL AS disabled FROM creditgate.portal_user WHERE email = $1";
// Never the hash: the admin role cannot read that column anyway (sql/018).
constexpr const char* kListUsers =
    "SELECT email, role, " UTC_TIME("created_at") " AS created_at, " UTC_TIME(
        "password_set_at") " AS password_set_at, " UTC_TIME("disabled_at") " AS disabled_at"
                           "  FROM creditgate.portal_user ORDER BY email";

#undef UTC_TIME

constexpr const char* kUnknownTenantState = "P0002";  // add_portal_user: tenant:<id> names none
constexpr const char* kDuplicateState = "23505";      // add_portal_user: the email exists

constexpr const char* kShownOnce =
    "This is the only time the password is shown: it cannot be shown again (the database keeps "
    "only its Argon2id hash). Hand it to the user over a channel you trust.";

// --json's answer to add and reset: the user, their password and the notice that it is shown once.
boost::json::object passwordJson(const std::string& email, const std::string& password) {
  boost::json::object json;
  json["email"] = email;
  json["password"] = password;
  json["notice"] = kShownOnce;
  return json;
}

void printPassword(std::ostream& out, const std::string& password) {
  out << '\n'
      << "    " << password << '\n'
      << '\n'
      << "This is the only time the password is shown: it cannot be shown again (the database\n"
      << "keeps only its Argon2id hash). Hand it to the user over a channel you trust.\n";
}

}  // namespace

void userAddCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "role", "json"});
  line.expectWords(1, "creditctl user add EMAIL --role ROLE [--json]");
  const std::string email = emailArgument(line.words()[0]);
  const std::string role = roleArgument(line.requiredOption("role"));
  const std::string password = server::generatePassword();

  pqxx::nontransaction txn(database.connection());
  std::string created_at;
  try {
    created_at = txn.exec_params1(kAddUser, email, role, server::hashPassword(password))[0]
                     .as<std::string>();
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kUnknownTenantState) {
      throw CommandFailed("--role " + quoted(role) + " names an unknown tenant " +
                          quoted(role.substr(role.find(':') + 1)) +
                          " (creditctl tenant add creates it)");
    }
    if (e.sqlstate() == kDuplicateState) {
      throw CommandFailed("a portal user " + quoted(email) +
                          " already exists (creditctl user reset gives a new password)");
    }
    throw;  // e.g. permission denied for a role that is not creditgate_admin: exit 1
  }
  if (line.flag("json")) {
    boost::json::object json = passwordJson(email, password);
    json["role"] = role;
    json["created_at"] = created_at;
    out << boost::json::serialize(json) << '\n';
    return;
  }
  out << "Portal user " << email << " created: role " << role << "; their password:\n";
  printPassword(out, password);
}

void userResetCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "json"});
  line.expectWords(1, "creditctl user reset EMAIL [--json]");
  const std::string email = emailArgument(line.words()[0]);
  const std::string password = server::generatePassword();

  pqxx::work txn(database.connection());
  if (!txn.exec_params1(kResetPassword, email, server::hashPassword(password))[0].as<bool>()) {
    throw CommandFailed("unknown portal user " + quoted(email) + " (creditctl user list)");
  }
  const pqxx::row state = txn.exec_params1(kUserState, email);
  txn.commit();
  const bool disabled = state["disabled"].as<bool>();
  if (line.flag("json")) {
    boost::json::object json = passwordJson(email, password);
    json["disabled"] = disabled;
    out << boost::json::serialize(json) << '\n';
    return;
  }
  out << "Portal user " << email << " has a new password; the old one no longer works"
      << (disabled ? " (the user stays disabled)" : "") << ":\n";
  printPassword(out, password);
}

void userDisableCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn"});
  line.expectWords(1, "creditctl user disable EMAIL");
  const std::string email = emailArgument(line.words()[0]);

  pqxx::work txn(database.connection());
  if (!txn.exec_params1(kDisableUser, email)[0].as<bool>()) {
    throw CommandFailed("unknown portal user " + quoted(email) + " (creditctl user list)");
  }
  const pqxx::row row = txn.exec_params1(kDisabledUser, email);
  txn.commit();
  const std::string disabled_at = shortTime(row["disabled_at"].c_str());
  if (row["just_now"].as<bool>()) {
    out << "Portal user " << email << " (role " << row["role"].c_str() << ") disabled at "
        << disabled_at << " UTC\n";
  } else {
    out << "Portal user " << email << " was already disabled at " << disabled_at
        << " UTC (nothing changed)\n";
  }
}

void userListCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "json"});
  line.expectWords(0, "creditctl user list [--json]");
  pqxx::nontransaction txn(database.connection());
  const pqxx::result rows = txn.exec(kListUsers);

  std::size_t disabled = 0;
  for (const auto& row : rows) disabled += row["disabled_at"].is_null() ? 0 : 1;
  if (line.flag("json")) {
    boost::json::array users;
    for (const auto& row : rows) {
      boost::json::object item;
      item["email"] = row["email"].c_str();
      item["role"] = row["role"].c_str();
      item["created_at"] = row["created_at"].c_str();
      item["password_set_at"] = row["password_set_at"].c_str();
      item["disabled_at"] = jsonText(row["disabled_at"]);
      item["active"] = row["disabled_at"].is_null();
      users.push_back(std::move(item));
    }
    boost::json::object json;
    json["count"] = static_cast<std::int64_t>(rows.size());
    json["disabled"] = static_cast<std::int64_t>(disabled);
    json["users"] = std::move(users);
    out << boost::json::serialize(json) << '\n';
    return;
  }
  out << "Portal users: " << rows.size() << " (" << rows.size() - disabled << " active, "
      << disabled << " disabled)\n";
  if (rows.empty()) return;
  TextTable table(
      {{"EMAIL"}, {"ROLE"}, {"CREATED (UTC)"}, {"PASSWORD SET (UTC)"}, {"DISABLED (UTC)"}});
  for (const auto& row : rows) {
    table.addRow({cellText(row["email"], 80), cellText(row["role"], 80),
                  shortTime(row["created_at"].c_str()), shortTime(row["password_set_at"].c_str()),
                  row["disabled_at"].is_null() ? "-" : shortTime(row["disabled_at"].c_str())});
  }
  table.print(out);
}

}  // namespace creditgate::ctl
