// A ledger server that is read-only (after a failover, the old primary comes back as a standby;
// a multi-host DSN without target_session_attrs=read-write, or a proxy, may still land there):
// SQLSTATE 25006 means nothing was written, so the gateway is told the ledger is unavailable and
// that nothing was debited, never that the call was refused or that the outcome is in doubt. Once
// the server takes writes again, the next decision goes through on a fresh connection.
#include <chrono>
#include <string>
#include <thread>

#include "gate_fixture.hpp"

namespace creditgate::testing {
namespace {

class ReadOnlyServerTest : public GateTest {
 protected:
  // New sessions of the plugin's login in this test's database only are read-only (a standby
  // answers every write the same way: 25006 read_only_sql_transaction).
  void setPluginSessionsReadOnly(bool read_only) {
    db_.exec("ALTER ROLE creditgate_test_plugin IN DATABASE " + quotedDatabase() +
             (read_only ? " SET default_transaction_read_only = on"
                        : " RESET default_transaction_read_only"));
    // The pooled sessions predate the setting: end them, as the demotion of a primary does, and
    // wait until they are gone, so that the next call finds them closed rather than racing their
    // FATAL (a call sent on one would be in doubt, which is not what this test is about).
    db_.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = "
        "'creditgate_test_plugin' AND datname = current_database()");
    for (int i = 0; i < 100 && db_.queryInt("SELECT count(*) FROM pg_stat_activity WHERE usename = "
                                            "'creditgate_test_plugin' AND datname = "
                                            "current_database()") > 0;
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::string quotedDatabase() {
    pqxx::nontransaction txn(db_.connection());
    return txn.quote_name(txn.exec1("SELECT current_database()")[0].as<std::string>());
  }
};

TEST_F(ReadOnlyServerTest, WritesRefusedAsReadOnlyAreUnavailableWithNothingDebitedThenRecover) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  ASSERT_EQ(decide(batch("acme", "before", germanNumbers(1, 0))).decision, api::Decision::allow);
  const std::int64_t balance = db_.balance("acme");

  setPluginSessionsReadOnly(true);
  const api::Verdict refused = decide(batch("acme", "during", germanNumbers(1, 10)));
  EXPECT_EQ(refused.decision, api::Decision::block);
  EXPECT_EQ(refused.reason, api::Reason::ledger_unavailable) << refused.detail;
  EXPECT_NE(std::string(refused.detail).find("read-only"), std::string::npos) << refused.detail;
  EXPECT_NE(std::string(refused.detail).find("nothing was debited"), std::string::npos)
      << refused.detail;
  EXPECT_EQ(refused.charged_micros, 0);
  EXPECT_EQ(db_.balance("acme"), balance);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE batch_id = 'during'"),
            0);

  setPluginSessionsReadOnly(false);
  // The circuit opens after repeated failures and half-opens within a second: retry as a gateway
  // would, with the same batch id, for up to 5 s.
  api::Verdict again;
  for (int i = 0; i < 50; ++i) {
    again = decide(batch("acme", "during", germanNumbers(1, 10)));
    if (again.reason != api::Reason::ledger_unavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(again.decision, api::Decision::allow) << again.detail;
  EXPECT_FALSE(again.replayed);
  EXPECT_EQ(db_.balance("acme"), balance - again.charged_micros);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

}  // namespace
}  // namespace creditgate::testing
