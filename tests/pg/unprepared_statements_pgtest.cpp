// database.prepared_statements = false (behind a transaction-pooling proxy such as pgbouncer):
// every statement goes unnamed and parameterized, nothing is set on the session at connect, and
// application_name still reaches the server (in the DSN).
#include "gate_fixture.hpp"

namespace creditgate::testing {
namespace {

using api::Decision;
using api::Delivery;

class UnpreparedStatementsTest : public GateTest {
 protected:
  void startUnprepared() {
    std::string json = pluginConfigJson(db_.pluginDsn(), kBlockPolicy, 1000, "");
    const std::string end_of_database = "\"rates_refresh_ms\": 200";
    const auto at = json.find(end_of_database);
    ASSERT_NE(at, std::string::npos);
    if (json.find("\"prepared_statements\"") == std::string::npos) {
      json.insert(at + end_of_database.size(), ", \"prepared_statements\": false");
    }
    startGateWithConfig(json);
  }

  // The plugin's connections to this test database, by the name they give the server.
  std::int64_t pluginSessions() {
    return db_.queryInt(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'creditgate-plugin'"
        " AND datname = current_database()");
  }
};

TEST_F(UnpreparedStatementsTest, DecidesAndSettlesWithUnnamedStatements) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startUnprepared();
  const auto recipients = germanNumbers(3);
  const api::Verdict v = decide(batch("acme", "b-1", recipients));
  EXPECT_EQ(v.decision, Decision::allow);
  EXPECT_EQ(v.charged_micros, 3 * kEurGermanyMarketing);
  EXPECT_EQ(v.balance_after_micros, 10'000'000 - 3 * kEurGermanyMarketing);
  EXPECT_EQ(db_.balance("acme"), 10'000'000 - 3 * kEurGermanyMarketing);

  std::vector<api::RecipientOutcome> outcomes{{recipients[0], Delivery::failed}};
  const api::Settlement settled = gate_->report(api::OutcomeReport{"acme", "b-1", outcomes});
  EXPECT_TRUE(settled.ok);
  EXPECT_EQ(settled.refunded_micros, kEurGermanyMarketing);
  EXPECT_EQ(db_.balance("acme"), 10'000'000 - 2 * kEurGermanyMarketing);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));

  // The retry of the same batch replays through the same unnamed statement.
  EXPECT_TRUE(decide(batch("acme", "b-1", recipients)).replayed);
  // application_name came with the connection (the DSN), not from a session SET.
  EXPECT_GE(pluginSessions(), 1);
}

TEST_F(UnpreparedStatementsTest, SaysSoWhenTheLoginRoleCarriesNoStatementTimeout) {
  // The test logins carry no timeouts: the connect-time check must say so.
  db_.addTenant("acme", "EUR", 10'000'000);
  startUnprepared();
  ASSERT_EQ(decide(batch("acme", "b-1", germanNumbers(1))).decision, Decision::allow);
  EXPECT_TRUE(host_.logged("no statement_timeout"));
  EXPECT_TRUE(host_.logged("no lock_timeout"));
}

TEST_F(UnpreparedStatementsTest, IsQuietWhenTheRoleCarriesTheTimeouts) {
  // Per database, so other tests' databases (and concurrent test processes) are not touched.
  // (creditgate_test_plugin: the login TestDatabase::pluginDsn() uses.)
  db_.exec("ALTER ROLE creditgate_test_plugin IN DATABASE " +
           db_.connection().quote_name(db_.name()) + " SET statement_timeout = '5s'");
  db_.exec("ALTER ROLE creditgate_test_plugin IN DATABASE " +
           db_.connection().quote_name(db_.name()) + " SET lock_timeout = '5s'");
  db_.addTenant("acme", "EUR", 10'000'000);
  startUnprepared();
  ASSERT_EQ(decide(batch("acme", "b-1", germanNumbers(1))).decision, Decision::allow);
  EXPECT_FALSE(host_.logged("no statement_timeout"));
  EXPECT_FALSE(host_.logged("no lock_timeout"));
}

TEST(PreparedStatementsDefault, ApplicationNameStillReachesTheServer) {
  TestDatabase db;
  db.seedRates();
  db.addTenant("acme", "EUR", 10'000'000);
  FakeHost host;
  const auto path =
      writeTempFile("creditgate.json", pluginConfigJson(db.pluginDsn(), kBlockPolicy, 1000, ""));
  std::string error;
  auto gate = createGate(path.string(), host, error);
  ASSERT_TRUE(gate) << error;
  OwnedBatch b = batch("acme", "b-1", germanNumbers(1));
  ASSERT_EQ(gate->decide(b.view()).decision, Decision::allow);
  EXPECT_GE(db.queryInt("SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                        " 'creditgate-plugin' AND datname = current_database()"),
            1);
}

}  // namespace
}  // namespace creditgate::testing
