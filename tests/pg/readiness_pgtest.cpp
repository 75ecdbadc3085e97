// readiness(): one trivial ledger call through the decisions' pool and circuit breaker, answered
// within the decision deadline: ready while the ledger answers, not ready (with why, never the DSN)
// while it is down or stalled, ready again once the circuit's open period has passed or the
// stalled read has ended.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "proxied_gate.hpp"

namespace creditgate::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kDeadlineMs = 1000;

class ReadinessTest : public ProxiedGateTest {
 protected:
  void SetUp() override {
    ProxiedGateTest::SetUp();
    db_.addTenant("acme", "EUR", 1'000'000'000);
    ProxiedGateOptions options;
    options.statement_timeout_ms = kDeadlineMs;
    startBehindProxy("", options);
  }

  // readiness(), checked to return within the decision deadline plus 20 %.
  api::Readiness timedReadiness() {
    const auto started = Clock::now();
    const api::Readiness answer = gate_->readiness();
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    EXPECT_LE(took, kDeadlineMs * 12 / 10) << "readiness took " << took << " ms";
    return answer;
  }

  // What nothing the plugin says may contain: the DSN's password and the proxy's address.
  void expectNoSecret(const api::Readiness& answer) {
    const std::string detail = answer.detail;
    EXPECT_EQ(detail.find("password"), std::string::npos) << detail;
    EXPECT_EQ(detail.find("port="), std::string::npos) << detail;
    EXPECT_EQ(detail.find(std::to_string(proxy_->port())), std::string::npos) << detail;
  }
};

TEST_F(ReadinessTest, ReadyWhileTheLedgerAnswers) {
  const api::Readiness answer = timedReadiness();
  EXPECT_TRUE(answer.ready) << answer.detail;
  EXPECT_TRUE(answer.ledger_answering);
  EXPECT_TRUE(answer.circuit_closed);
  EXPECT_EQ(answer.config_generation, 1u);
  EXPECT_STREQ(answer.detail, "");
}

TEST_F(ReadinessTest, NotReadyWhileDownAndReadyAgainAfterTheCircuitsOpenPeriod) {
  ASSERT_TRUE(timedReadiness().ready);
  proxy_->setMode(TcpProxy::Mode::refuse);

  const api::Readiness down = timedReadiness();
  EXPECT_FALSE(down.ready);
  EXPECT_FALSE(down.ledger_answering);
  EXPECT_NE(std::string(down.detail).find("the ledger is unavailable"), std::string::npos)
      << down.detail;
  expectNoSecret(down);

  // Three failures in a row open the circuit (the gate's background reads count too): from then on
  // readiness says so, without waiting for the ledger.
  api::Readiness open;
  for (int i = 0; i < 10; ++i) {
    open = timedReadiness();
    if (!open.circuit_closed) break;
  }
  EXPECT_FALSE(open.ready);
  EXPECT_FALSE(open.ledger_answering);
  EXPECT_FALSE(open.circuit_closed);
  EXPECT_NE(std::string(open.detail).find("circuit is open"), std::string::npos) << open.detail;
  expectNoSecret(open);

  // The open period doubles per failed probe up to 1 s (plugin/db/database.cpp): past it, a
  // readiness call may be the probe that closes the circuit. Background reads may be the probe
  // instead, so poll for a while rather than expect the very next call to be it.
  proxy_->setMode(TcpProxy::Mode::forward);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  api::Readiness back;
  const auto until = Clock::now() + std::chrono::seconds(5);
  do {
    back = timedReadiness();
    if (back.ready) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (Clock::now() < until);
  EXPECT_TRUE(back.ready) << back.detail;
  EXPECT_TRUE(back.ledger_answering);
  EXPECT_TRUE(back.circuit_closed);
  EXPECT_STREQ(back.detail, "");
}

TEST_F(ReadinessTest, AStalledLedgerIsNotReadyWithinTheDeadline) {
  ASSERT_TRUE(timedReadiness().ready);
  proxy_->setMode(TcpProxy::Mode::stall);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // bytes in flight settle
  const api::Readiness stalled = timedReadiness();
  EXPECT_FALSE(stalled.ready);
  EXPECT_FALSE(stalled.ledger_answering);
  EXPECT_NE(std::string(stalled.detail), "");
  expectNoSecret(stalled);

  // The read the stall held ends when its connection does; then the next one answers.
  proxy_->setMode(TcpProxy::Mode::refuse);  // release the stalled connections
  proxy_->setMode(TcpProxy::Mode::forward);
  api::Readiness back;
  const auto until = Clock::now() + std::chrono::seconds(5);
  do {
    back = timedReadiness();
    if (back.ready) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (Clock::now() < until);
  EXPECT_TRUE(back.ready) << back.detail;
}

TEST_F(ReadinessTest, SaysTheConfigGenerationInForce) {
  const auto aside = config_path_.string() + ".new";  // written aside, renamed into place
  std::ofstream(aside) << pluginConfigJson(
      db_.pluginDsn() + " port=" + std::to_string(proxy_->port()),
      R"({"on_insufficient_credit": "flag"})");
  std::filesystem::rename(aside, config_path_);
  const api::ReloadResult reloaded = gate_->reload();
  ASSERT_TRUE(reloaded.ok) << reloaded.detail;
  const api::Readiness answer = timedReadiness();
  EXPECT_TRUE(answer.ready) << answer.detail;
  EXPECT_GE(reloaded.generation, 2u);
  // The config watcher may have reloaded the edit too, before or after this reload().
  EXPECT_GE(answer.config_generation, reloaded.generation);
  EXPECT_LE(answer.config_generation, 3u);
}

}  // namespace
}  // namespace creditgate::testing
