#include "test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include "csv_reader.hpp"
#include "migrations.hpp"

namespace creditgate::testing {
namespace {

constexpr const char* kPluginLogin = "creditgate_test_plugin";
constexpr const char* kAdminLogin = "creditgate_test_admin";
constexpr const char* kServerLogin = "creditgate_test_server";
constexpr const char* kPortalLogin = "creditgate_test_portal";
constexpr const char* kLoginPassword = "test-only-password";

std::string requiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run the database tests through scripts/test, which "
                             "starts a throwaway PostgreSQL");
  }
  return value;
}

// Roles are cluster-wide and test processes may run at once: tolerate a concurrent creator.
// (DDL takes no bind parameters; the names are this file's constants, quoted all the same.)
void ensureLogin(pqxx::connection& connection, const char* login, const char* group) {
  pqxx::nontransaction txn(connection);
  if (!txn.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", login).empty()) return;
  try {
    txn.exec("CREATE ROLE " + txn.quote_name(login) + " LOGIN PASSWORD " + txn.quote(kLoginPassword) +
             " IN ROLE " + txn.quote_name(group));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() != "42710" && e.sqlstate() != "23505") throw;  // created meanwhile: fine
  }
}

// The rows of a shipped data file (data/*.csv) after its header line.
std::vector<std::vector<std::string>> readCsv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  for (auto& record : admin::readCsvFile(path.string())) {
    if (record.line > 1 && !record.blank()) rows.push_back(std::move(record.cells));
  }
  return rows;
}

// The session deadlines a transaction pooler cannot carry from the client: what an operator sets
// on the login role (docs/PGBOUNCER.md). The value of pluginConfigJson's statement_timeout_ms.
constexpr const char* kPooledRoleTimeout = "5s";

// CREDITGATE_TEST_PGBOUNCER, or empty.
std::string pgbouncerDsn() {
  const char* value = std::getenv("CREDITGATE_TEST_PGBOUNCER");
  return value == nullptr ? std::string() : std::string(value);
}

// Host and port of the logins that would go through a pooler: the bouncer's, else the cluster's.
std::string pooledBaseDsn() {
  const std::string bouncer = pgbouncerDsn();
  return bouncer.empty() ? requiredEnv("CREDITGATE_TEST_PG") : bouncer;
}

}  // namespace

std::filesystem::path sqlDir() { return CREDITGATE_SQL_DIR; }
std::filesystem::path sourceDir() { return CREDITGATE_SOURCE_DIR; }

TestDatabase::TestDatabase() : base_dsn_(requiredEnv("CREDITGATE_TEST_PG")) {
  // Through the bouncer the base DSN's own user/dbname are overridden below as they are directly
  // (libpq takes a keyword's last value).
  pooled_dsn_ = pooledBaseDsn();
  static std::atomic<int> counter{0};
  name_ = "creditgate_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  {
    pqxx::connection server(base_dsn_);
    pqxx::nontransaction txn(server);
    txn.exec("DROP DATABASE IF EXISTS " + txn.quote_name(name_));
    txn.exec("CREATE DATABASE " + txn.quote_name(name_));
  }
  connection_ = std::make_unique<pqxx::connection>(superuserDsn());
  admin::applyMigrations(*connection_, sqlDir());
  ensureLogin(*connection_, kPluginLogin, "creditgate_plugin");
  ensureLogin(*connection_, kAdminLogin, "creditgate_admin");
  ensureLogin(*connection_, kServerLogin, "creditgate_server");
  ensureLogin(*connection_, kPortalLogin, "creditgate_portal");
  if (!pgbouncerDsn().empty()) {
    // Behind a transaction pooler the plugin (prepared_statements = false) sets no session
    // timeouts: they come from the login role, as an operator would set them. Per database, so
    // that other tests' databases and concurrent test processes are not touched.
    pqxx::nontransaction txn(*connection_);
    for (const char* login : {kPluginLogin, kServerLogin, kPortalLogin}) {
      for (const char* setting : {"statement_timeout", "lock_timeout"}) {
        txn.exec("ALTER ROLE " + txn.quote_name(login) + " IN DATABASE " + txn.quote_name(name_) +
                 " SET " + setting + " = " + txn.quote(kPooledRoleTimeout));
      }
    }
  }
}

TestDatabase::~TestDatabase() {
  try {
    connection_.reset();
    pqxx::connection server(base_dsn_);
    pqxx::nontransaction txn(server);
    txn.exec("DROP DATABASE IF EXISTS " + txn.quote_name(name_) + " WITH (FORCE)");
  } catch (...) {
    // A leftover database in a throwaway cluster is harmless.
  }
}

void TestDatabase::reconnect() {
  connection_.reset();
  connection_ = std::make_unique<pqxx::connection>(superuserDsn());
}

std::string TestDatabase::superuserDsn() const { return base_dsn_ + " dbname=" + name_; }

std::string TestDatabase::pluginDsn() const {
  return loginDsn(pooled_dsn_, kPluginLogin);
}

std::string TestDatabase::adminDsn() const {
  return loginDsn(base_dsn_, kAdminLogin);
}

std::string TestDatabase::serverDsn() const {
  return loginDsn(pooled_dsn_, kServerLogin);
}

std::string TestDatabase::portalDsn() const {
  return loginDsn(pooled_dsn_, kPortalLogin);
}

std::string TestDatabase::loginDsn(const std::string& base, const char* login) const {
  return base + " dbname=" + name_ + " user=" + login + " password=" + kLoginPassword;
}

void TestDatabase::exec(const std::string& sql) {
  pqxx::nontransaction txn(*connection_);
  txn.exec(sql);
}

std::int64_t TestDatabase::queryInt(const std::string& sql) {
  pqxx::nontransaction txn(*connection_);
  return txn.exec1(sql)[0].as<std::int64_t>();
}

void TestDatabase::seedRates() {
  pqxx::work txn(*connection_);
  for (const auto& row : readCsv(sourceDir() / "data/markets_2025.csv")) {
    txn.exec_params("INSERT INTO creditgate.market VALUES ($1) ON CONFLICT DO NOTHING", row.at(0));
  }
  for (const auto& row : readCsv(sourceDir() / "data/market_prefixes_2025.csv")) {
    txn.exec_params(
        "INSERT INTO creditgate.market_prefix (prefix, market, valid_from) VALUES ($1, $2, "
        "'2025-07-01')",
        row.at(0), row.at(1));
  }
  txn.exec(
      "INSERT INTO creditgate.rate_card (currency, effective_from, source) VALUES "
      "('EUR', '2025-07-01', 'test'), ('USD', '2025-07-01', 'test')");
  txn.exec_params(
      "INSERT INTO creditgate.rate (card_id, market, category, rate_micros) "
      "SELECT c.card_id, m.market, k.category, CASE "
      "  WHEN c.currency = 'EUR' AND k.category = 'marketing' AND m.market = 'Germany' THEN $1 "
      "  WHEN c.currency = 'EUR' AND k.category = 'marketing' THEN $2 "
      "  WHEN c.currency = 'EUR' AND k.category = 'utility' THEN $3 "
      "  WHEN c.currency = 'EUR' AND k.category = 'authentication' THEN $4 "
      "  WHEN c.currency = 'USD' AND k.category = 'marketing' THEN $5 "
      "  WHEN c.currency = 'USD' AND k.category = 'utility' THEN $6 "
      "  WHEN c.currency = 'USD' AND k.category = 'authentication' THEN $7 "
      "  WHEN k.category = 'service' THEN 0 "
      "  ELSE NULL END "  // authentication_international: n/a unless a test sets it
      "FROM creditgate.rate_card c CROSS JOIN creditgate.market m CROSS JOIN "
      "(VALUES ('marketing'), ('utility'), ('authentication'), ('authentication_international'), "
      "('service')) AS k(category)",
      kEurGermanyMarketing, kEurMarketing, kEurUtility, kEurAuthentication, kUsdMarketing,
      kUsdUtility, kUsdAuthentication);
  txn.commit();
}

void TestDatabase::addTenant(const std::string& tenant_id, const std::string& currency,
                             std::int64_t initial_micros) {
  {
    pqxx::nontransaction txn(*connection_);
    txn.exec_params("SELECT creditgate.add_tenant($1, $2, $3)", tenant_id, currency,
                    "billing@" + tenant_id + ".example");
  }
  if (initial_micros > 0) topup(tenant_id, initial_micros, "initial-" + tenant_id);
}

void TestDatabase::topup(const std::string& tenant_id, std::int64_t micros,
                         const std::string& reference) {
  pqxx::nontransaction txn(*connection_);
  txn.exec_params("SELECT * FROM creditgate.topup($1, $2, $3, NULL)", tenant_id, micros, reference);
}

std::int64_t TestDatabase::balance(const std::string& tenant_id) {
  pqxx::nontransaction txn(*connection_);
  return txn.exec_params1("SELECT balance_micros FROM creditgate.tenant WHERE tenant_id = $1",
                          tenant_id)[0]
      .as<std::int64_t>();
}

std::int64_t TestDatabase::ledgerSum(const std::string& tenant_id) {
  pqxx::nontransaction txn(*connection_);
  return txn.exec_params1(
                "SELECT coalesce(sum(amount_micros), 0) FROM creditgate.ledger_entry "
                "WHERE tenant_id = $1",
                tenant_id)[0]
      .as<std::int64_t>();
}

std::int64_t TestDatabase::count(const std::string& table) {
  pqxx::nontransaction txn(*connection_);
  return txn.exec1("SELECT count(*) FROM creditgate." + txn.quote_name(table))[0].as<std::int64_t>();
}

int pooledPort() {
  const std::string dsn = pooledBaseDsn();
  const auto at = dsn.rfind("port=");
  if (at == std::string::npos) throw std::runtime_error("no port= in the test cluster's DSN");
  return std::atoi(dsn.c_str() + at + 5);
}

std::string sqlstateAs(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction txn(connection);
  try {
    txn.exec(sql);
    return "";
  } catch (const pqxx::insufficient_privilege&) {
    return "42501";  // libpqxx 6.4 leaves sqlstate() empty on this subclass
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  }
}

}  // namespace creditgate::testing
