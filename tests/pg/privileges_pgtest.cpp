// Least privilege: the plugin's role can call the money functions and nothing else.
#include <gtest/gtest.h>

#include "test_database.hpp"

namespace creditgate::testing {
namespace {

class PluginRoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.seedRates();
    db_.addTenant("acme", "EUR", 1'000'000);
  }

  // The SQLSTATE the statement fails with as the plugin's role ("" if it succeeds).
  std::string sqlstateAsPlugin(const std::string& sql) {
    pqxx::connection plugin(db_.pluginDsn());
    pqxx::nontransaction txn(plugin);
    try {
      txn.exec(sql);
      return "";
    } catch (const pqxx::insufficient_privilege&) {
      return "42501";  // libpqxx 6.4 leaves sqlstate() empty on this subclass
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate();
    }
  }

  TestDatabase db_;
};

TEST_F(PluginRoleTest, CannotReadOrWriteAnyTableDirectly) {
  std::vector<std::string> tables;
  {
    pqxx::nontransaction txn(db_.connection());
    for (const auto& row : txn.exec("SELECT tablename FROM pg_tables WHERE schemaname = "
                                    "'creditgate' ORDER BY tablename")) {
      tables.push_back("creditgate." + row[0].as<std::string>());
    }
  }
  ASSERT_GE(tables.size(), 9u);
  for (const auto& table : tables) {
    EXPECT_EQ(sqlstateAsPlugin("SELECT * FROM " + table), "42501") << table;
    EXPECT_EQ(sqlstateAsPlugin("DELETE FROM " + table), "42501") << table;
  }
  EXPECT_EQ(sqlstateAsPlugin("UPDATE creditgate.tenant SET balance_micros = 999999999"), "42501");
  EXPECT_EQ(sqlstateAsPlugin("INSERT INTO creditgate.ledger_entry (tenant_id, kind, amount_micros,"
                             " balance_after_micros, reference) VALUES ('acme', 'topup', 1, 1, 'x')"),
            "42501");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
}

TEST_F(PluginRoleTest, CannotCallTheAdminFunctions) {
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.topup('acme', 1000000, 'free-money', NULL)"),
            "42501");
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.add_tenant('evil', 'EUR', NULL)"), "42501");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
}

TEST_F(PluginRoleTest, CanCallTheMoneyFunctions) {
  EXPECT_EQ(sqlstateAsPlugin("SELECT * FROM creditgate.decide_batch('acme', 'b-1', 'c', 't', "
                             "'marketing', ARRAY['+4915112345678'], ARRAY[1000]::bigint[], 'EUR', "
                             "'block', 0, NULL, NULL, NULL, 0)"),
            "");
  EXPECT_EQ(db_.balance("acme"), 1'000'000 - 1000);
}

TEST_F(PluginRoleTest, MoneyFunctionsRunWithAFixedSearchPath) {
  pqxx::nontransaction txn(db_.connection());
  const auto unfixed = txn.exec(
      "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE n.nspname = 'creditgate' AND p.prosecdef "
      "AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=creditgate, pg_temp']");
  for (const auto& row : unfixed) ADD_FAILURE() << row[0].as<std::string>();
}

TEST_F(PluginRoleTest, LedgerRefusesUpdatesAndDeletesEvenFromItsOwner) {
  {
    pqxx::nontransaction txn(db_.connection());
    EXPECT_THROW(txn.exec("UPDATE creditgate.ledger_entry SET amount_micros = 0"), pqxx::sql_error);
    EXPECT_THROW(txn.exec("DELETE FROM creditgate.ledger_entry"), pqxx::sql_error);
  }
  EXPECT_EQ(db_.ledgerSum("acme"), 1'000'000);
}

}  // namespace
}  // namespace creditgate::testing
