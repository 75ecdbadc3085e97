// Least privilege: the plugin's role can call the money functions and nothing else.
#include <gtest/gtest.h>

#include <set>

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
  std::string sqlstateAsPlugin(const std::string& sql) { return sqlstateAs(db_.pluginDsn(), sql); }

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

namespace creditgate::testing {
namespace {

// Everything in the schema, asked of the catalog rather than listed by hand: a table, view or
// sequence added later is covered, and so is a function granted by mistake.
TEST_F(PluginRoleTest, HasNoPrivilegeOnAnyRelationOrSequence) {
  pqxx::nontransaction txn(db_.connection());
  const auto granted = txn.exec(
      "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = 'creditgate' AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S') AND ("
      " has_table_privilege('creditgate_test_plugin', c.oid, "
      "   'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
      " OR (c.relkind = 'S' AND has_sequence_privilege('creditgate_test_plugin', c.oid, "
      "   'USAGE, SELECT, UPDATE')))");
  for (const auto& row : granted) {
    ADD_FAILURE() << "the plugin role has a privilege on " << row[0].as<std::string>()
                  << " (relkind " << row[1].as<std::string>() << ")";
  }
  EXPECT_GE(txn.exec1("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                      "c.relnamespace WHERE n.nspname = 'creditgate' AND c.relkind = 'S'")[0]
                .as<int>(),
            1);  // the identity sequences exist, so the check above looked at some
  EXPECT_EQ(sqlstateAsPlugin("SELECT * FROM creditgate.held_recipient"), "42501");
  EXPECT_EQ(sqlstateAsPlugin("SELECT nextval(pg_get_serial_sequence('creditgate.ledger_entry', "
                             "'entry_id'))"),
            "42501");
}

TEST_F(PluginRoleTest, CanExecuteExactlyTheFunctionsMeantForIt) {
  // What the plugin calls (the statements in plugin/ledger/) and the read-only lookups granted with
  // them.
  const std::set<std::string> allowed = {"claim_deliveries",
                                         "delivery_backlog",
                                         "finish_delivery",
                                         "claim_events",
                                         "decide_batch",
                                         "decide_batches",
                                         "ledger_watch",
                                         "mark_event_failed",
                                         "mark_event_sent",
                                         "market_prefixes_at",
                                         "markets",
                                         "note_doubt",
                                         "quote_batch",
                                         "quote_request",
                                         "rate_cards_at",
                                         "rate_data_version",
                                         "rates_at",
                                         "settle_outcomes",
                                         "tenant_account",
                                         "tenant_balance",
                                         "tenant_currency",
                                         "tenant_profile",
                                         "void_doubtful_batches"};
  std::set<std::string> executable;
  {
    pqxx::nontransaction txn(db_.connection());
    for (const auto& row : txn.exec(
             "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
             "WHERE n.nspname = 'creditgate' AND has_function_privilege('creditgate_test_plugin', "
             "p.oid, 'EXECUTE')")) {
      executable.insert(row[0].as<std::string>());
    }
  }
  for (const auto& name : executable) {
    EXPECT_TRUE(allowed.count(name)) << "the plugin role may execute creditgate." << name;
  }
  for (const auto& name :
       {"decide_batches", "quote_request", "settle_outcomes", "tenant_profile", "tenant_account",
        "rate_data_version", "claim_deliveries", "finish_delivery", "delivery_backlog"}) {
    EXPECT_TRUE(executable.count(name)) << "the plugin role needs creditgate." << name;
  }
  // The admin-only ones, called as the plugin: refused, nothing changed.
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.set_tenant_pricing('acme', true, 'Germany')"),
            "42501");
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.set_tenant_contacts('acme', ARRAY['x@evil'])"),
            "42501");
  // Webhook secrets: the plugin gets one only inside a delivery it claimed, never on demand.
  EXPECT_EQ(sqlstateAsPlugin("SELECT secret FROM creditgate.webhook_secret"), "42501");
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.rotate_webhook_secret('acme', 'x', 0)"), "42501");
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.enable_webhook('acme', 'x')"), "42501");
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.import_rate_card('EUR', '2030-01-01', 'evil', "
                             "ARRAY['Germany'], ARRAY['marketing'], ARRAY[1]::bigint[])"),
            "42501");
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.import_market_mapping('2030-01-01', "
                             "ARRAY['49'], ARRAY['Germany'], ARRAY['Germany'])"),
            "42501");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
}

}  // namespace
}  // namespace creditgate::testing

namespace creditgate::testing {
namespace {

// The admin role reads every table and writes none directly: money, tenants and the top-up limits
// change only through the admin functions (sql/006, sql/013).
TEST_F(PluginRoleTest, AdminRoleWritesNoTableDirectlyAndChangesLimitsOnlyThroughTheirFunction) {
  {
    pqxx::nontransaction txn(db_.connection());
    const auto writable = txn.exec(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'creditgate' AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND "
        "has_table_privilege('creditgate_test_admin', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')");
    for (const auto& row : writable) {
      ADD_FAILURE() << "the admin role may write creditgate." << row[0].as<std::string>();
    }
    EXPECT_TRUE(txn.exec1("SELECT has_table_privilege('creditgate_test_admin', "
                          "'creditgate.topup_limits', 'SELECT') AND "
                          "has_table_privilege('creditgate_test_admin', 'creditgate.currency', "
                          "'SELECT') AND has_function_privilege('creditgate_test_admin', "
                          "'creditgate.set_topup_limits(bigint, bigint)', 'EXECUTE')")[0]
                    .as<bool>());
  }

  const auto sqlstateAsAdmin = [this](const std::string& sql) {
    pqxx::connection admin(db_.adminDsn());
    pqxx::nontransaction admin_txn(admin);
    try {
      admin_txn.exec(sql);
      return std::string();
    } catch (const pqxx::insufficient_privilege&) {
      return std::string("42501");  // libpqxx 6.4 leaves sqlstate() empty on this subclass
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate();
    }
  };
  EXPECT_EQ(sqlstateAsAdmin("UPDATE creditgate.topup_limits SET max_topup_micros = 1"), "42501");
  EXPECT_EQ(sqlstateAsAdmin("INSERT INTO creditgate.currency VALUES ('XYZ', 2, 'Mine')"), "42501");
  EXPECT_EQ(sqlstateAsPlugin("SELECT creditgate.set_topup_limits(1, 1)"), "42501");
  EXPECT_EQ(sqlstateAsAdmin("SELECT creditgate.set_topup_limits(2000000, 3000000)"), "");
  EXPECT_EQ(db_.queryInt("SELECT max_topup_micros FROM creditgate.topup_limits"), 2'000'000);
}

}  // namespace
}  // namespace creditgate::testing
