// A wrong database password: the gateway starts (it must, during an outage too), says at start that
// authentication failed, and blocks every batch as ledger_unavailable with that cause, never as a
// missing rate; the password itself is never echoed. Its own cluster, since only a cluster that asks
// for passwords can refuse one (the shared test cluster trusts loopback).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

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

  OwnedBatch b = batch("acme", "b1", germanNumbers(1));
  const api::Verdict v = gate->decide(b.view());
  EXPECT_EQ(v.decision, api::Decision::block);
  EXPECT_EQ(v.reason, api::Reason::ledger_unavailable) << api::reasonCode(v.reason) << " " << v.detail;
  EXPECT_NE(std::string(v.detail).find("authentication failed"), std::string::npos) << v.detail;

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
