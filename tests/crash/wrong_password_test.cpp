// A wrong database password: the gateway starts (it must, during an outage too), says at start that
// authentication failed, and blocks every batch as ledger_unavailable with that cause, never as a
// missing rate; the password itself is never echoed. Its own cluster, since only a cluster that asks
// for passwords can refuse one (the shared test cluster trusts loopback).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "gate_fixture.hpp"
#include "throwaway_cluster.hpp"

namespace creditgate::testing {
namespace {

constexpr const char* kWrongPassword = "wrong-sentinel-pw-7d41";

TEST(WrongPasswordTest, IsReportedAsAuthenticationFailedNeverAsAMissingRateAndNeverEchoed) {
  if (!ThrowawayCluster::binariesAvailable()) GTEST_SKIP() << "PostgreSQL 15 binaries not installed";
  ThrowawayCluster cluster(ThrowawayCluster::Authentication::passwords);
  ::setenv("CREDITGATE_TEST_PG", cluster.superuserDsn().c_str(), 1);
  TestDatabase db;
  db.seedRates();
  db.addTenant("acme", "EUR", 1'000'000);

  std::string dsn = db.pluginDsn();
  const auto at = dsn.find("password=");
  ASSERT_NE(at, std::string::npos);
  dsn = dsn.substr(0, at) + "password=" + kWrongPassword;
  const std::string config = writeTempFile("creditgate.json", pluginConfigJson(dsn, kBlockPolicy));

  FakeHost host;
  std::string error;
  const auto gate = createGate(config, host, error);
  ASSERT_TRUE(gate) << "the gateway must start even when the ledger refuses it: " << error;

  // Every batch, also once the circuit is open and calls are refused at once, names the cause;
  // the rate refresher keeps trying (every 200 ms here) without a line per try.
  api::Verdict v;
  for (int i = 0; i < 20; ++i) {
    OwnedBatch b = batch("acme", "b" + std::to_string(i), germanNumbers(1));
    v = gate->decide(b.view());
    EXPECT_EQ(v.decision, api::Decision::block);
    EXPECT_EQ(v.reason, api::Reason::ledger_unavailable)
        << api::reasonCode(v.reason) << " " << v.detail;
    EXPECT_NE(std::string(v.detail).find("authentication failed"), std::string::npos) << v.detail;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Counted where the alerts look: decisions the ledger's absence decided.
  EXPECT_EQ(metricValue(gate->metricsText(),
                        "creditgate_failure_policy_decisions_total{policy=\"block\"}"),
            20);
  int rate_lines = 0;
  for (const auto& line : host.logs()) {
    rate_lines += line.find("cannot load the rate data") != std::string::npos;
  }
  EXPECT_EQ(rate_lines, 1) << ::testing::PrintToString(host.logs());

  bool said_at_start = false;
  for (const auto& line : host.logs()) {
    EXPECT_EQ(line.find(kWrongPassword), std::string::npos) << line;
    said_at_start = said_at_start || (line.rfind("3 ", 0) == 0 &&
                                      line.find("authentication failed") != std::string::npos);
  }
  EXPECT_TRUE(said_at_start) << "no error line at start says authentication failed";
  EXPECT_EQ(std::string(v.detail).find(kWrongPassword), std::string::npos);
  EXPECT_EQ(gate->metricsText().find(kWrongPassword), std::string::npos);
  EXPECT_EQ(db.balance("acme"), 1'000'000);
}

}  // namespace
}  // namespace creditgate::testing
