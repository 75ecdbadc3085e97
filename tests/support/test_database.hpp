// Test support: a fresh PostgreSQL database per fixture, with every migration of sql/ applied by the
// real runner, login roles for the plugin and admin roles, and the 2025 market mapping loaded.
// CREDITGATE_TEST_PG names a superuser DSN of a throwaway cluster (scripts/test starts one).
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <filesystem>
#include <string>

namespace creditgate::testing {

class TestDatabase {
 public:
  TestDatabase();  // throws std::runtime_error when CREDITGATE_TEST_PG is unset or unusable
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string superuserDsn() const;  // this database, as the cluster's superuser
  // With CREDITGATE_TEST_PGBOUNCER set (host=... port=... of a pgbouncer in transaction pooling
  // mode in front of CREDITGATE_TEST_PG, tests/pgbouncer/run.sh), the plugin, server and portal
  // logins connect through it; the superuser and admin (migrations) stay direct.
  std::string pluginDsn() const;     // a login member of creditgate_plugin
  std::string adminDsn() const;      // a login member of creditgate_admin
  std::string serverDsn() const;     // a login member of creditgate_server (API key lookups)
  std::string portalDsn() const;     // a login member of creditgate_portal (portal sessions)

  // Superuser connection for setting up and inspecting state.
  pqxx::connection& connection() { return *connection_; }
  // A fresh superuser connection, e.g. after a failover ended the old one (a multi-host
  // CREDITGATE_TEST_PG then finds the new primary).
  void reconnect();
  void exec(const std::string& sql);  // test-only SQL literals, never built from input
  std::int64_t queryInt(const std::string& sql);

  // Markets and prefixes from data/*_2025.csv, and rate cards in EUR and USD effective 2025-07-01
  // (see kRate* below), loaded as an admin would.
  void seedRates();
  void addTenant(const std::string& tenant_id, const std::string& currency,
                 std::int64_t initial_micros);
  void topup(const std::string& tenant_id, std::int64_t micros, const std::string& reference);

  std::int64_t balance(const std::string& tenant_id);
  std::int64_t ledgerSum(const std::string& tenant_id);
  std::int64_t count(const std::string& table);  // rows of creditgate.<table>

 private:
  std::string loginDsn(const std::string& base, const char* login) const;  // this database

  std::string base_dsn_;
  std::string pooled_dsn_;  // CREDITGATE_TEST_PGBOUNCER's host and port, else base_dsn_
  std::string name_;
  std::unique_ptr<pqxx::connection> connection_;
};

// Rates seeded by seedRates(), in micro-units, per message. EUR card: Germany marketing is special
// so tests can tell markets apart; every other market has the same rates.
inline constexpr std::int64_t kEurGermanyMarketing = 136500;   // 0.1365 EUR
inline constexpr std::int64_t kEurMarketing = 61800;           // 0.0618 EUR
inline constexpr std::int64_t kEurUtility = 28900;             // 0.0289 EUR
inline constexpr std::int64_t kEurAuthentication = 28900;
inline constexpr std::int64_t kUsdMarketing = 60400;           // 0.0604 USD
inline constexpr std::int64_t kUsdUtility = 7700;
inline constexpr std::int64_t kUsdAuthentication = 7700;

// The SQLSTATE `sql` fails with when run by `dsn`'s login ("" if it succeeds): what a role may do.
std::string sqlstateAs(const std::string& dsn, const std::string& sql);

// The TCP port the plugin, server and portal logins connect to: the pgbouncer's when
// CREDITGATE_TEST_PGBOUNCER is set, else CREDITGATE_TEST_PG's. For a TcpProxy put in their way.
int pooledPort();

std::filesystem::path sqlDir();
std::filesystem::path sourceDir();

}  // namespace creditgate::testing
