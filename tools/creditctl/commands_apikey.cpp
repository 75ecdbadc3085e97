// creditctl apikey add, list and revoke: the API keys creditgate-server accepts (sql/017, the
// format in server/auth/api_key.hpp). creditctl makes the key, prints it once and hands the
// database only its SHA-256 digest, so the secret exists nowhere but in this command's output.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "api_key.hpp"
#include "arguments.hpp"
#include "commands.hpp"
#include "report_fields.hpp"
#include "text_table.hpp"

namespace creditgate::ctl {
namespace {

// A timestamptz as "2026-07-01T12:34:56.123456Z" (UTC), as every report writes times.
#define UTC_TIME(expression) \
  "to_char(" expression " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// The digest goes as hex text: libpqxx 6.4 has no binary parameters.
constexpr const char* kAddKey =
    "SELECT " UTC_TIME("creditgate.add_api_key($1, decode($2, 'hex'), $3, $4)") " AS created_at";

// Never the digest: the admin role cannot read that column anyway (sql/017).
constexpr const char* kListKeys =
    "SELECT key_id, scope, label, " UTC_TIME("created_at") " AS created_at, " UTC_TIME(
        "revoked_at") " AS revoked_at"
                      "  FROM creditgate.api_key ORDER BY created_at, key_id";

constexpr const char* kRevokeKey = "SELECT creditgate.revoke_api_key($1)";
// In the revoking transaction: revoked_at = now() exactly when this transaction revoked it.
constexpr const char* kRevokedKey =
    "SELECT scope, " UTC_TIME("revoked_at") " AS revoked_at, revoked_at = now() AS just_now"
    "  FROM creditgate.api_key WHERE key_id = $1";

#undef UTC_TIME

constexpr const char* kUnknownTenantState = "P0002";     // add_api_key: tenant:<id> names none
constexpr const char* kInvalidParameterState = "22023";  // add_api_key: an argument it refuses
constexpr const char* kDuplicateState = "23505";         // add_api_key: the key id exists
constexpr int kAttempts = 3;  // a fresh key per attempt; two collisions in 36^12 ids mean a bug

// --json's notice; the text output says the same over two lines.
constexpr const char* kShownOnce =
    "This is the only time the key is shown: it cannot be shown again (the database keeps only "
    "its SHA-256 digest). Store it now, e.g. in your secret manager.";

std::string hex(const server::SecretDigest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char byte : digest) out += {kHex[byte >> 4], kHex[byte & 0xf]};
  return out;
}

}  // namespace

void apikeyAddCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "scope", "label", "json"});
  line.expectWords(0, "creditctl apikey add --scope SCOPE [--label TEXT] [--json]");
  const std::string scope = scopeArgument(line.requiredOption("scope"));
  const std::optional<std::string> label = line.option("label");
  if (label) labelArgument(*label);

  pqxx::nontransaction txn(database.connection());
  for (int attempt = 1;; ++attempt) {
    const server::ApiKey key = server::generateApiKey();
    std::string created_at;
    try {
      created_at =
          txn.exec_params1(kAddKey, key.key_id, hex(server::secretDigest(key.secret)), scope,
                           label ? label->c_str() : static_cast<const char*>(nullptr))[0]
              .as<std::string>();
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() == kDuplicateState && attempt < kAttempts) continue;
      if (e.sqlstate() == kUnknownTenantState) {
        throw CommandFailed("--scope " + quoted(scope) + " names an unknown tenant " +
                            quoted(scope.substr(scope.find(':') + 1)) +
                            " (creditctl tenant add creates it)");
      }
      if (e.sqlstate() == kInvalidParameterState) throw UsageError(databaseMessage(e));
      throw;  // e.g. permission denied for a role that is not creditgate_admin: exit 1
    }

    if (line.flag("json")) {
      boost::json::object json;
      json["key"] = key.text;
      json["key_id"] = key.key_id;
      json["scope"] = scope;
      json["label"] = label ? boost::json::value(*label) : boost::json::value(nullptr);
      json["created_at"] = created_at;
      json["notice"] = kShownOnce;
      out << boost::json::serialize(json) << '\n';
      return;
    }
    out << "API key " << key.key_id << " created: scope " << scope << ", label "
        << (label ? quoted(*label) : std::string("(none)")) << '\n'
        << '\n'
        << "    " << key.text << '\n'
        << '\n'
        << "This is the only time the key is shown: it cannot be shown again (the database\n"
        << "keeps only its SHA-256 digest). Store it now, e.g. in your secret manager.\n"
        << "Send it as: Authorization: Bearer <key>\n"
        << "Revoke it with: creditctl apikey revoke " << key.key_id << '\n';
    return;
  }
}

void apikeyListCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "json"});
  line.expectWords(0, "creditctl apikey list [--json]");
  pqxx::nontransaction txn(database.connection());
  const pqxx::result rows = txn.exec(kListKeys);

  std::size_t revoked = 0;
  for (const auto& row : rows) revoked += row["revoked_at"].is_null() ? 0 : 1;
  if (line.flag("json")) {
    boost::json::array keys;
    for (const auto& row : rows) {
      boost::json::object item;
      item["key_id"] = row["key_id"].c_str();
      item["scope"] = row["scope"].c_str();
      item["label"] = jsonText(row["label"]);
      item["created_at"] = row["created_at"].c_str();
      item["revoked_at"] = jsonText(row["revoked_at"]);
      item["active"] = row["revoked_at"].is_null();
      keys.push_back(std::move(item));
    }
    boost::json::object json;
    json["count"] = static_cast<std::int64_t>(rows.size());
    json["revoked"] = static_cast<std::int64_t>(revoked);
    json["keys"] = std::move(keys);
    out << boost::json::serialize(json) << '\n';
    return;
  }
  out << "API keys: " << rows.size() << " (" << rows.size() - revoked << " active, " << revoked
      << " revoked)\n";
  if (rows.empty()) return;
  TextTable table({{"KEY ID"}, {"SCOPE"}, {"LABEL"}, {"CREATED (UTC)"}, {"REVOKED (UTC)"}});
  for (const auto& row : rows) {
    table.addRow({row["key_id"].c_str(), cellText(row["scope"], 80), cellText(row["label"]),
                  shortTime(row["created_at"].c_str()),
                  row["revoked_at"].is_null() ? "-" : shortTime(row["revoked_at"].c_str())});
  }
  table.print(out);
}

void apikeyRevokeCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn"});
  line.expectWords(1, "creditctl apikey revoke KEY_ID");
  const std::string& key_id = keyIdArgument(line.words()[0]);

  pqxx::work txn(database.connection());
  if (!txn.exec_params1(kRevokeKey, key_id)[0].as<bool>()) {
    throw CommandFailed("unknown API key id " + quoted(key_id) + " (creditctl apikey list)");
  }
  const pqxx::row row = txn.exec_params1(kRevokedKey, key_id);
  txn.commit();
  const std::string revoked_at = shortTime(row["revoked_at"].c_str());
  if (row["just_now"].as<bool>()) {
    out << "API key " << key_id << " (scope " << row["scope"].c_str() << ") revoked at "
        << revoked_at << " UTC; servers refuse it once their key cache expires\n";
  } else {
    out << "API key " << key_id << " was already revoked at " << revoked_at
        << " UTC (nothing changed)\n";
  }
}

}  // namespace creditgate::ctl
