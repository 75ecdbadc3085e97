// The ISO 4217 currencies a tenant may be created in (issue 11, item 14): creditgate.currency,
// seeded by sql/013 from data/iso4217_currencies_2025.csv, and add_tenant()'s refusal of any other
// code.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "migrations.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

// The SQLSTATE `sql` fails with on `connection` ("" if it succeeds).
std::string sqlstateOf(pqxx::connection& connection, const std::string& sql) {
  pqxx::nontransaction txn(connection);
  try {
    txn.exec(sql);
    return "";
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  }
}

TEST(CurrencyTest, TheCurrencyTableHoldsExactlyTheShippedCsv) {
  TestDatabase db;
  std::vector<std::vector<std::string>> csv;
  for (auto& record :
       admin::readCsvFile((sourceDir() / "data/iso4217_currencies_2025.csv").string())) {
    if (record.line == 1) {
      EXPECT_EQ(record.cells, (std::vector<std::string>{"code", "minor_units", "name"}));
      continue;
    }
    if (!record.blank()) csv.push_back(std::move(record.cells));
  }
  std::vector<std::vector<std::string>> table;
  pqxx::nontransaction txn(db.connection());
  for (const auto& row :
       txn.exec("SELECT code, minor_units::text, name FROM creditgate.currency ORDER BY code")) {
    table.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  }
  ASSERT_GE(csv.size(), 150u);
  EXPECT_EQ(table, csv);  // the CSV is sorted by code (tests/unit/iso4217_currencies_test.cpp)
}

TEST(CurrencyTest, AddTenantRefusesACodeNotInTheListWithItsOwnSqlstateAndWritesNothing) {
  TestDatabase db;
  pqxx::connection admin(db.adminDsn());
  for (const char* code : {"XYZ", "XAU", "XTS", "BOV", "HRK"}) {
    EXPECT_EQ(sqlstateOf(admin,
                         std::string("SELECT creditgate.add_tenant('acme', '") + code + "', NULL)"),
              "CGCUR")
        << code;
  }
  EXPECT_EQ(db.count("tenant"), 0);
  EXPECT_EQ(sqlstateOf(admin, "SELECT creditgate.add_tenant('acme', 'IDR', NULL)"), "");
  EXPECT_EQ(db.count("tenant"), 1);
}

// A database migrated before 013 may hold a tenant whose code is not in the list: 013 applies, the
// tenant keeps working, and adding it again still answers 'exists'. Only new tenants are checked.
TEST(CurrencyTest, ATenantCreatedBeforeTheListSurvivesTheMigrationAndStillWorks) {
  TestDatabase fixture;  // only for its cluster: this test migrates a database of its own
  const std::string name = fixture.name() + "_before_013";
  const std::string server_dsn = std::getenv("CREDITGATE_TEST_PG");
  {
    pqxx::connection server(server_dsn);
    pqxx::nontransaction txn(server);
    txn.exec("CREATE DATABASE " + txn.quote_name(name));
  }
  const auto before_013 = std::filesystem::temp_directory_path() /
                          ("creditgate-sql-before-013-" + std::to_string(::getpid()));
  std::filesystem::remove_all(before_013);
  std::filesystem::create_directories(before_013);
  for (const auto& file : admin::listMigrations(sqlDir())) {
    if (file.version < 13) std::filesystem::copy_file(file.path, before_013 / file.name);
  }
  {
    pqxx::connection connection(server_dsn + " dbname=" + name);
    admin::applyMigrations(connection, before_013);
    pqxx::nontransaction(connection)
        .exec(
            "SELECT creditgate.add_tenant('legacy', 'ZWL', NULL), "
            "creditgate.topup('legacy', 5000000, 'inv-1', NULL)");

    const auto outcomes = admin::applyMigrations(connection, sqlDir());
    bool applied_013 = false;
    for (const auto& outcome : outcomes) applied_013 |= outcome.applied_now;
    EXPECT_TRUE(applied_013);

    pqxx::nontransaction txn(connection);
    EXPECT_EQ(txn.exec1("SELECT creditgate.add_tenant('legacy', 'ZWL', NULL)")[0].as<std::string>(),
              "exists");
    EXPECT_EQ(txn.exec1("SELECT balance_after_micros FROM creditgate.topup('legacy', 1000000, "
                        "'inv-2', NULL)")[0]
                  .as<std::int64_t>(),
              6'000'000);
  }
  {
    pqxx::connection connection(server_dsn + " dbname=" + name);
    EXPECT_EQ(sqlstateOf(connection, "SELECT creditgate.add_tenant('newcomer', 'ZWL', NULL)"),
              "CGCUR");
  }
  std::filesystem::remove_all(before_013);
  pqxx::connection server(server_dsn);
  pqxx::nontransaction txn(server);
  txn.exec("DROP DATABASE IF EXISTS " + txn.quote_name(name) + " WITH (FORCE)");
}

}  // namespace
}  // namespace creditgate::testing
