// What a reload cannot change, it says so (issue 11, item 6): every setting that only a restart
// changes keeps its running value, and the reload answers ok with restart_required, names the
// setting in its detail and the log, and raises creditgate_config_restart_pending; a live change
// in the same edit is in force. on_ledger_unavailable switches live, or is refused with the reason
// when there is no journal to make allow_flagged safe.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "gate_fixture.hpp"

namespace creditgate::testing {
namespace {

// Every setting written out, so that an edit changes exactly one.
std::string configText(const std::string& dsn, const std::string& journal,
                       const std::string& policy = "block") {
  return R"({
  "database": {"dsn": ")" +
         dsn + R"(", "pool_size": 4, "statement_timeout_ms": 5000,
               "connect_timeout_s": 3, "rates_refresh_ms": 200,
               "group_commit": {"enabled": true, "max_batches": 64, "gather_us": 1500}},
  "policy": {"on_insufficient_credit": ")" +
         policy + R"(", "overdraft_limit": "10"},
  "failure": {"journal_path": ")" +
         journal + R"(", "replay_ms": 100},
  "notifications": {"relay": {"enabled": true, "poll_ms": 1000, "batch_size": 50}},
  "metrics": {"listen": "", "tenant_balances": {"enabled": false, "max_tenants": 1000}}
})";
}

struct Edit {
  const char* setting;  // as the reload names it
  const char* from;     // text in configText()
  const char* to;
};

// One per setting in the list of what only a restart changes (plugin/config/config.cpp).
const Edit kEdits[] = {
    {"database.pool_size", R"("pool_size": 4)", R"("pool_size": 5)"},
    {"database.statement_timeout_ms", R"("statement_timeout_ms": 5000)",
     R"("statement_timeout_ms": 4000)"},
    {"database.connect_timeout_s", R"("connect_timeout_s": 3)", R"("connect_timeout_s": 4)"},
    {"database.rates_refresh_ms", R"("rates_refresh_ms": 200)", R"("rates_refresh_ms": 300)"},
    {"database.group_commit.enabled", R"("enabled": true, "max_batches")",
     R"("enabled": false, "max_batches")"},
    {"database.group_commit.max_batches", R"("max_batches": 64)", R"("max_batches": 8)"},
    {"database.group_commit.gather_us", R"("gather_us": 1500)", R"("gather_us": 0)"},
    {"failure.replay_ms", R"("replay_ms": 100)", R"("replay_ms": 200)"},
    {"notifications.relay.enabled", R"("relay": {"enabled": true)",
     R"("relay": {"enabled": false)"},
    {"notifications.relay.poll_ms", R"("poll_ms": 1000)", R"("poll_ms": 500)"},
    {"notifications.relay.batch_size", R"("batch_size": 50)", R"("batch_size": 10)"},
    {"metrics.listen", R"("listen": "")", R"("listen": "127.0.0.1:0")"},
    {"metrics.tenant_balances.enabled", R"("tenant_balances": {"enabled": false)",
     R"("tenant_balances": {"enabled": true)"},
    {"metrics.tenant_balances.max_tenants", R"("max_tenants": 1000)", R"("max_tenants": 10)"},
};

class RestartOnlySettingsTest : public GateTest {
 protected:
  void SetUp() override {
    GateTest::SetUp();
    db_.addTenant("acme", "EUR", 1'000'000);
    journal_ = writeTempFile("journal", "").string();
  }
  void rewrite(const std::string& text) { std::ofstream(config_path_, std::ios::trunc) << text; }
  static std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  }
  double restartPending() {
    return metricValue(gate_->metricsText(), "creditgate_config_restart_pending");
  }

  std::string journal_;
};

TEST_F(RestartOnlySettingsTest, EachOneIsKeptAndNamedAndTheRestOfTheEditIsInForce) {
  for (const Edit& edit : kEdits) {
    SCOPED_TRACE(edit.setting);
    const std::string base = configText(db_.pluginDsn(), journal_);
    startGateWithConfig(base);
    ASSERT_EQ(restartPending(), 0);
    // The restart-only edit, and a live one with it: block becomes flag.
    rewrite(replaced(replaced(base, edit.from, edit.to), R"("on_insufficient_credit": "block")",
                     R"("on_insufficient_credit": "flag")"));
    const api::ReloadResult result = gate_->reload();
    EXPECT_TRUE(result.ok) << result.detail;
    EXPECT_TRUE(result.restart_required);
    EXPECT_NE(std::string(result.detail).find(edit.setting), std::string::npos) << result.detail;
    EXPECT_TRUE(host_.logged(std::string("only a restart changes ") + edit.setting));
    EXPECT_EQ(restartPending(), 1);
    // The live part is in force: 2 EUR on 1 EUR of credit is sent into the overdraft.
    const api::Verdict v =
        decide(batch("acme", std::string("b-") + edit.setting, germanNumbers(15)));
    EXPECT_EQ(v.decision, api::Decision::allow_flagged)
        << api::reasonCode(v.reason) << " " << v.detail;
    db_.topup("acme", 1'000'000 - db_.balance("acme") + 1'000'000,
              std::string("back-") + edit.setting);  // credit for the next round
  }
}

TEST_F(RestartOnlySettingsTest, AChangedDsnKeepsTheRunningConnectionsAndSaysSo) {
  const std::string base = configText(db_.pluginDsn(), journal_);
  startGateWithConfig(base);
  rewrite(configText(db_.pluginDsn() + " port=1", journal_));  // nothing listens there
  const api::ReloadResult result = gate_->reload();
  EXPECT_TRUE(result.ok);
  EXPECT_TRUE(result.restart_required);
  EXPECT_NE(std::string(result.detail).find("database.dsn"), std::string::npos) << result.detail;
  EXPECT_EQ(std::string(result.detail).find("port=1"), std::string::npos);  // names, never values
  EXPECT_EQ(decide(batch("acme", "b1", germanNumbers(1))).decision, api::Decision::allow);
}

TEST_F(RestartOnlySettingsTest, AChangedJournalPathKeepsTheJournalInUseAndSaysSo) {
  startGateWithConfig(configText(db_.pluginDsn(), journal_));
  const std::string other = writeTempFile("other-journal", "").string();
  rewrite(configText(db_.pluginDsn(), other));
  const api::ReloadResult result = gate_->reload();
  EXPECT_TRUE(result.ok);
  EXPECT_TRUE(result.restart_required);
  EXPECT_NE(std::string(result.detail).find("failure.journal_path"), std::string::npos);
}

TEST_F(RestartOnlySettingsTest, TheListenerDoesNotMoveUntilARestart) {
  const std::string base = configText(db_.pluginDsn(), journal_);
  startGateWithConfig(base);
  rewrite(replaced(base, R"("listen": "")", R"("listen": "127.0.0.1:0")"));
  ASSERT_TRUE(gate_->reload().restart_required);
  EXPECT_EQ(static_cast<CreditGatePlugin&>(*gate_).metricsPort(), 0);  // still not listening
}

TEST_F(RestartOnlySettingsTest, EditingItBackClearsThePendingRestart) {
  const std::string base = configText(db_.pluginDsn(), journal_);
  startGateWithConfig(base);
  rewrite(replaced(base, R"("pool_size": 4)", R"("pool_size": 6)"));
  ASSERT_TRUE(gate_->reload().restart_required);
  EXPECT_EQ(restartPending(), 1);
  rewrite(base);
  const api::ReloadResult back = gate_->reload();
  EXPECT_TRUE(back.ok);
  EXPECT_FALSE(back.restart_required);
  EXPECT_EQ(restartPending(), 0);
}

TEST_F(RestartOnlySettingsTest, AllowFlaggedWithoutAJournalIsRefusedWithTheReason) {
  startGateWithConfig(pluginConfigJson(db_.pluginDsn(), kBlockPolicy));  // no failure.journal_path
  rewrite(pluginConfigJson(db_.pluginDsn(),
                           R"({"on_insufficient_credit": "block",
                               "on_ledger_unavailable": "allow_flagged",
                               "ledger_unavailable_cap": "50"})",
                           1000, R"("failure": {"journal_path": ")" + journal_ + R"("})"));
  const api::ReloadResult result = gate_->reload();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.generation, 1u);
  EXPECT_NE(std::string(result.detail)
                .find("allow_flagged needs failure.journal_path, which takes "
                      "effect only at restart"),
            std::string::npos)
      << result.detail;
}

}  // namespace
}  // namespace creditgate::testing
