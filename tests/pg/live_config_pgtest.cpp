// Admins change policy live: an edited config file is in force within a second on a running
// gateway; an invalid edit is refused with line, column and field, and the old policy stays.
#include "background_decisions.hpp"

#include <chrono>
#include <fstream>
#include <thread>

namespace creditgate::testing {
namespace {

using Clock = std::chrono::steady_clock;

class LiveConfigTest : public GateTest {
 protected:
  // Replaces the file the way config management does: write aside, then rename into place.
  void rewriteConfig(const std::string& text) {
    const auto aside = config_path_.string() + ".new";
    std::ofstream(aside) << text;
    std::filesystem::rename(aside, config_path_);
  }
  std::string configWith(const std::string& policy) {
    return pluginConfigJson(db_.pluginDsn(), policy);
  }
};

TEST_F(LiveConfigTest, TogglingATenantFromBlockToFlagWhileEightThreadsDecide) {
  db_.addTenant("cafe", "EUR", 0);  // no credit: block refuses, flag sends into the overdraft
  const std::string block = kBlockPolicy;
  const std::string flag =
      R"({"on_insufficient_credit": "block",
          "tenants": {"cafe": {"on_insufficient_credit": "flag", "overdraft_limit": "100000"}}})";
  startGate(block);

  BackgroundDecisions deciding(*gate_, "cafe", 8);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const auto swapped = Clock::now();
  rewriteConfig(configWith(flag));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // "within a second"
  const auto in_force = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // An invalid edit: refused, the flag policy stays in force.
  rewriteConfig("{\"database\": {\"dsn\": \"x\"},\n  \"policy\": {\"on_insufficient_credit\": \"maybe\"}}");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const auto refused = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::vector<ObservedDecision> observed = deciding.stop();

  int before = 0, after = 0, after_invalid = 0;
  for (const auto& o : observed) {
    const auto reason = o.verdict.reason;
    ASSERT_TRUE(reason == api::Reason::insufficient_credit || reason == api::Reason::overdraft)
        << "a decision failed: " << api::reasonCode(reason) << " " << o.verdict.detail;
    if (o.started < swapped) {
      EXPECT_EQ(o.verdict.decision, api::Decision::block);
      ++before;
    } else if (o.started > in_force) {
      EXPECT_EQ(o.verdict.decision, api::Decision::allow_flagged);
      ++after;
      if (o.started > refused) ++after_invalid;
    }
  }
  EXPECT_GT(before, 0);
  EXPECT_GT(after, 0);
  EXPECT_GT(after_invalid, 0);
  EXPECT_TRUE(host_.logged("line 2, column 40: policy.on_insufficient_credit: 'maybe'"))
      << ::testing::PrintToString(host_.logs());
  const std::string metrics = gate_->metricsText();
  EXPECT_NE(metrics.find("creditgate_config_generation 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("creditgate_config_reload_failures_total 1"), std::string::npos);
}

TEST_F(LiveConfigTest, HostReloadRefusesAnInvalidFileAndKeepsTheRunningConfig) {
  db_.addTenant("acme", "EUR", 0);
  startGate(kBlockPolicy);
  rewriteConfig("{\"database\": {\"dsn\": \"x\", \"dsn\": \"y\"}}");
  const api::ReloadResult result = gate_->reload();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.generation, 1u);
  EXPECT_NE(std::string(result.detail).find("duplicate key"), std::string::npos) << result.detail;
  EXPECT_EQ(decide(batch("acme", "b-1", germanNumbers(1))).reason, api::Reason::insufficient_credit);
}

}  // namespace
}  // namespace creditgate::testing
