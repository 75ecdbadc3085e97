// The host side of the contract, one batch at a time, against a scripted CreditGate: decide() is
// asked again with the same batch while the ledger did not answer, only the final verdict is acted
// on, and a refused report is handed on to be re-sent.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "console_report.hpp"
#include "fake_retry_clock.hpp"
#include "outreach.hpp"
#include "recording_listener.hpp"
#include "scripted_gate.hpp"

namespace sample_gateway::testing {
namespace {

using namespace std::chrono_literals;
using api::Decision;
using api::Reason;

class OutreachTest : public ::testing::Test {
 protected:
  // The batch views the campaign's strings: campaigns_ must outlive it (and not be a temporary).
  OutreachTest()
      : campaigns_{Campaign{"spring",
                            "acme",
                            "offer_v1",
                            "marketing",
                            {"+4915112345601", "+4915112345602", "+4915112345603"}}},
        batch_(planBatches(campaigns_, 10).at(0)) {
    gate_.answerReport({settled(0, 0)});
  }

  // The gateway's defaults: 0.2 s doubling to 5 s, for 2 minutes.
  BatchResult send(RetryPolicy decide_retry = {}) {
    return Outreach(gate_, DeliverySimulation(50), decide_retry, clock_, reports_).send(batch_);
  }

  std::string printed(const BatchResult& result) {
    return formatBatchLine(result, fitColumns({batch_}));
  }

  const std::vector<Campaign> campaigns_;
  OutreachBatch batch_;
  ScriptedGate gate_;
  FakeRetryClock clock_;
  RecordingListener listener_;
  ReportRetrier reports_{gate_, RetryPolicy{1ms, 2ms, 1s}, listener_};
};

TEST_F(OutreachTest, InDoubtTwiceThenAllowSendsTheBatchOnceWithTheFinalVerdict) {
  gate_.answerDecide({inDoubt(), inDoubt(), verdict(Decision::allow, Reason::ok, 3, true)});

  const BatchResult result = send();

  const auto calls = gate_.decideCalls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].batch_id, "spring-0001");
  EXPECT_EQ(calls[1], calls[0]);  // the same batch id and content every time
  EXPECT_EQ(calls[2], calls[0]);
  EXPECT_EQ(clock_.waits, (std::vector<std::chrono::milliseconds>{200ms, 400ms}));
  EXPECT_EQ(result.verdict().decision, Decision::allow);
  EXPECT_EQ(result.sent, 3u);
  ASSERT_EQ(gate_.reportCalls().size(), 1u);  // sent once, reported once
  EXPECT_EQ(gate_.reportCalls()[0].outcomes.size(), 3u);
  EXPECT_EQ(result.decision.end, DecisionTrail::End::answered);
  EXPECT_TRUE(result.decision.in_doubt);
  EXPECT_NE(printed(result).find("ledger_in_doubt -> retried 2x in 0.6 s -> allow"),
            std::string::npos)
      << printed(result);
  EXPECT_NE(printed(result).find("(replayed)"), std::string::npos) << printed(result);
}

TEST_F(OutreachTest, InDoubtForeverGivesUpAfterTheBoundSendsNothingAndSaysSo) {
  gate_.answerDecide({inDoubt()});

  const BatchResult result = send();

  // 0.2 + 0.4 + 0.8 + 1.6 + 3.2 s, then every 5 s, as long as a retry starts within 2 minutes.
  EXPECT_EQ(result.decision.attempts, 28u);
  EXPECT_EQ(clock_.waited(), 116'200ms);
  ASSERT_FALSE(clock_.waits.empty());
  EXPECT_EQ(clock_.waits.back(), 5s);
  EXPECT_EQ(result.decision.end, DecisionTrail::End::gave_up);
  EXPECT_EQ(result.sent, 0u);
  EXPECT_TRUE(gate_.reportCalls().empty());
  const std::string line = printed(result);
  EXPECT_NE(line.find("block          ledger_in_doubt"), std::string::npos) << line;
  EXPECT_NE(line.find("retried 27x in 116.2 s -> gave up: not sent"), std::string::npos) << line;
  EXPECT_NE(line.find("may have been debited"), std::string::npos) << line;
}

TEST_F(OutreachTest, GiveUpAfterZeroMeansAskOnceOnly) {
  gate_.answerDecide({inDoubt()});

  const BatchResult result = send(RetryPolicy{200ms, 5s, 0s});

  EXPECT_EQ(gate_.decideCalls().size(), 1u);
  EXPECT_EQ(result.decision.end, DecisionTrail::End::gave_up);
  EXPECT_EQ(result.sent, 0u);
}

TEST_F(OutreachTest, LedgerUnavailableIsAskedAgainUnderTheSameIdUntilTheLedgerAnswers) {
  gate_.answerDecide({verdict(Decision::block, Reason::ledger_unavailable),
                      verdict(Decision::block, Reason::ledger_timeout),
                      verdict(Decision::allow, Reason::ok, 3)});

  const BatchResult result = send();

  ASSERT_EQ(gate_.decideCalls().size(), 3u);
  EXPECT_EQ(gate_.decideCalls()[2], gate_.decideCalls()[0]);
  EXPECT_EQ(result.sent, 3u);
  EXPECT_FALSE(result.decision.in_doubt);
  EXPECT_NE(printed(result).find("ledger_unavailable -> retried 2x in 0.6 s -> allow"),
            std::string::npos)
      << printed(result);
}

TEST_F(OutreachTest, AStopCutsShortTheRetriesOfABatchThatOwesNothing) {
  gate_.answerDecide({verdict(Decision::block, Reason::ledger_unavailable)});
  clock_.stopping = true;

  const BatchResult result = send();

  EXPECT_EQ(gate_.decideCalls().size(), 1u);
  EXPECT_EQ(result.decision.end, DecisionTrail::End::stopped);
  EXPECT_EQ(result.sent, 0u);
  EXPECT_NE(printed(result).find("stopping: not sent, nothing debited"), std::string::npos)
      << printed(result);
}

TEST_F(OutreachTest, ABatchOnceInDoubtIsStillAskedWhileTheGatewayStops) {
  gate_.answerDecide({inDoubt(), verdict(Decision::block, Reason::ledger_unavailable),
                      verdict(Decision::allow, Reason::ok, 3, true)});
  clock_.stopping = true;

  const BatchResult result = send();

  EXPECT_EQ(gate_.decideCalls().size(), 3u);
  EXPECT_EQ(result.decision.end, DecisionTrail::End::answered);
  EXPECT_EQ(result.sent, 3u);
}

TEST_F(OutreachTest, ABlockTheLedgerDecidedIsActedOnAtOnce) {
  gate_.answerDecide({verdict(Decision::block, Reason::insufficient_credit)});

  const BatchResult result = send();

  EXPECT_EQ(gate_.decideCalls().size(), 1u);
  EXPECT_TRUE(clock_.waits.empty());
  EXPECT_EQ(result.sent, 0u);
  EXPECT_EQ(printed(result).find("retried"), std::string::npos) << printed(result);
}

TEST_F(OutreachTest, PartialSendsOnlyTheAllowedRecipientsAndReportsThem) {
  gate_.answerDecide({inDoubt(), verdict(Decision::allow_partial, Reason::partial_credit, 2)});

  const BatchResult result = send();

  EXPECT_EQ(result.sent, 2u);
  ASSERT_EQ(gate_.reportCalls().size(), 1u);
  ASSERT_EQ(gate_.reportCalls()[0].outcomes.size(), 2u);
  EXPECT_EQ(gate_.reportCalls()[0].outcomes[1].first, "+4915112345602");
}

TEST_F(OutreachTest, ARefusedReportIsHandedOnAndReSentUntilAccepted) {
  gate_.answerDecide({verdict(Decision::allow, Reason::ok, 3)});
  gate_.answerReport(
      {refused(Reason::ledger_unavailable), refused(Reason::ledger_in_doubt), settled(1, 61'800)});

  const BatchResult result = send();
  EXPECT_TRUE(result.report_deferred);
  EXPECT_NE(printed(result).find("report not accepted (ledger_unavailable"), std::string::npos)
      << printed(result);
  EXPECT_NE(printed(result).find("re-sending"), std::string::npos) << printed(result);

  EXPECT_TRUE(reports_.finish().empty());  // nothing lost
  const auto calls = gate_.reportCalls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1], calls[0]);  // the same outcomes every time
  EXPECT_EQ(calls[2], calls[0]);
  const auto accepted = listener_.accepted();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].batch_id, "spring-0001");
  EXPECT_EQ(accepted[0].attempts, 3u);
  EXPECT_EQ(accepted[0].settlement.refunded_micros, 61'800);
  EXPECT_TRUE(listener_.notAccepted().empty());
}

TEST_F(OutreachTest, AJournaledReportIsAcceptedAtOnceAndSaidSo) {
  gate_.answerDecide({verdict(Decision::allow, Reason::ok, 3)});
  gate_.answerReport({journaled()});

  const BatchResult result = send();

  EXPECT_FALSE(result.report_deferred);
  EXPECT_EQ(gate_.reportCalls().size(), 1u);
  EXPECT_NE(printed(result).find("report journaled"), std::string::npos) << printed(result);
  EXPECT_EQ(reports_.pending(), 0u);
}

}  // namespace
}  // namespace sample_gateway::testing
