// The real sample_gateway binary loading scripted_plugin through the real loader: what an operator
// sees when the ledger's answers get lost (ledger_in_doubt), when reports are refused or journaled,
// and when the gateway is stopped by signals. No database: the plugin's answers are scripted.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "temp_files.hpp"
#include "gateway_process.hpp"

namespace sample_gateway::testing {
namespace {

using namespace std::chrono_literals;
using creditgate::testing::GatewayProcess;
using creditgate::testing::GatewayRun;
using creditgate::testing::runGateway;

// Fast retries: 10 ms doubling to 40 ms, given up after `give_up_after_s`.
std::string retry(int give_up_after_s) {
  return R"({"first_delay_ms": 10, "max_delay_ms": 40, "give_up_after_s": )" +
         std::to_string(give_up_after_s) + "}";
}

class GatewayBinaryTest : public ::testing::Test {
 protected:
  // A gateway on scripted_plugin answering `script`, one campaign of 3 recipients in one batch.
  void configure(const std::string& script, int decide_give_up_s = 5, int report_give_up_s = 5,
                 int sender_threads = 1) {
    script_ = files_.write("script.json", script);
    config_ = files_.write(
        "gateway.json",
        R"({"plugin": ")" + std::string(SCRIPTED_PLUGIN_PATH) + R"(", "plugin_config": ")" +
            script_ + R"(", "batch_size": 3, "delivery_failure_percent": 50, "sender_threads": )" +
            std::to_string(sender_threads) + R"(, "decide_retry": )" + retry(decide_give_up_s) +
            R"(, "report_retry": )" + retry(report_give_up_s) + "}");
    campaigns_ = files_.write(
        "campaigns.json",
        R"({"campaigns": [{"id": "spring", "tenant": "acme", "template": "offer", "category": )"
        R"("marketing", "recipients": ["+4915112345601", "+4915112345602", "+4915112345603"]}]})");
  }

  GatewayRun oneShot() {
    return runGateway(SAMPLE_GATEWAY_PATH, {"--config", config_, campaigns_});
  }

  TempFiles files_;
  std::string script_, config_, campaigns_;
};

TEST_F(GatewayBinaryTest, InDoubtTwiceThenAllowIsSentOnceAndTheLineSaysHowTheVerdictWasLearnt) {
  configure(
      R"({"decide": ["ledger_in_doubt", "ledger_in_doubt", "allow_replayed"], "report": ["ok"]})");
  const GatewayRun run = oneShot();
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("spring-0001  acme  allow "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("sent 3/3"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("(replayed)  decide: ledger_in_doubt -> retried 2x in "),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(" s -> allow\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("decide_retried=1 "), std::string::npos) << run.out;
}

TEST_F(GatewayBinaryTest, InDoubtForeverGivesUpAfterTheBoundSendsNothingAndSaysSo) {
  configure(R"({"decide": ["ledger_in_doubt"], "report": ["ok"]})", /*decide_give_up_s=*/1);
  const auto started = std::chrono::steady_clock::now();
  const GatewayRun run = oneShot();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("spring-0001  acme  block          ledger_in_doubt"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("-> gave up: not sent; may have been debited"), std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("sent 3/3"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(" sent=0 "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("decide_gave_up=1 "), std::string::npos) << run.out;
}

TEST_F(GatewayBinaryTest, ARefusedReportIsReSentInTheBackgroundUntilAccepted) {
  configure(R"({"decide": ["allow"], "report": ["ledger_unavailable", "ledger_in_doubt", "ok"]})");
  const GatewayRun run = oneShot();
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("report not accepted (ledger_unavailable: ledger_unavailable), re-sending "
                         "in the background"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("spring-0001  acme  report accepted after 3 attempts: refunded"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("reports_resent=1 reports_journaled=0 reports_pending=0 "
                         "reports_not_accepted=0"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.err.find("error"), std::string::npos) << run.err;
}

TEST_F(GatewayBinaryTest, AJournaledReportIsAcceptedAndSaidSo) {
  configure(R"({"decide": ["allow"], "report": ["journaled"]})");
  const GatewayRun run = oneShot();
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("report journaled: the ledger did not answer; the plugin keeps the "
                         "outcomes and settles them when it does"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("reports_journaled=1 "), std::string::npos) << run.out;
  // The summary's refunds are what the plugin said; it says why they are short.
  EXPECT_NE(run.out.find("1 reports were journaled by the plugin during an outage; their refunds "
                         "are made when the ledger answers"),
            std::string::npos)
      << run.out;
}

TEST_F(GatewayBinaryTest, AReportNeverAcceptedIsPrintedAsAnErrorAndTheExitStatusIsFive) {
  configure(R"({"decide": ["allow"], "report": ["ledger_unavailable"]})", 5,
            /*report_give_up_s=*/1);
  const GatewayRun run = oneShot();
  EXPECT_EQ(run.exit_status, 5) << run.out << run.err;
  EXPECT_NE(
      run.err.find("error: report not accepted: batch spring-0001 of tenant acme, 3 outcomes, "
                   "after "),
      std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("last answer ledger_unavailable"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("reports_not_accepted=1"), std::string::npos) << run.out;
}

TEST_F(GatewayBinaryTest, AStopEndsRetriesOfABatchThatOwesNothingAndPacedModeExitsZero) {
  configure(R"({"decide": ["ledger_unavailable"], "report": ["ok"]})", /*decide_give_up_s=*/120);
  GatewayProcess gateway(SAMPLE_GATEWAY_PATH, {"--config", config_, "--rate", "5/s", campaigns_});
  ASSERT_TRUE(gateway.waitForOutput("paced:", 30s)) << gateway.out() << gateway.err();
  std::this_thread::sleep_for(500ms);
  const auto signalled = std::chrono::steady_clock::now();
  gateway.signal(SIGTERM);
  ASSERT_EQ(gateway.wait(60s), 0) << gateway.out() << gateway.err();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 10s);  // not the 120 s retry bound
  EXPECT_NE(gateway.out().find("-> stopping: not sent, nothing debited"), std::string::npos)
      << gateway.out();
  EXPECT_NE(gateway.out().find("\ntotals "), std::string::npos) << gateway.out();
}

TEST_F(GatewayBinaryTest, ASecondSignalExitsAtOnceAndSaysWhatIsLeftUnfinished) {
  // In doubt for ever, given up only after 120 s: the first signal cannot end that batch.
  configure(R"({"decide": ["ledger_in_doubt"], "report": ["ok"]})", /*decide_give_up_s=*/120);
  GatewayProcess gateway(SAMPLE_GATEWAY_PATH, {"--config", config_, "--rate", "5/s", campaigns_});
  ASSERT_TRUE(gateway.waitForOutput("paced:", 30s)) << gateway.out() << gateway.err();
  std::this_thread::sleep_for(500ms);
  gateway.signal(SIGTERM);
  ASSERT_TRUE(
      gateway.waitForOutput("stopping (SIGTERM): finishing what is in flight (batches 1,", 10s))
      << gateway.out() << gateway.err();
  gateway.signal(SIGINT);
  EXPECT_EQ(gateway.wait(10s), 128 + SIGINT) << gateway.out() << gateway.err();
  EXPECT_NE(gateway.err().find("second signal (SIGINT): exiting at once, leaving unfinished: "
                               "batches in flight 1, reports not accepted 0"),
            std::string::npos)
      << gateway.err();
}

}  // namespace
}  // namespace sample_gateway::testing
