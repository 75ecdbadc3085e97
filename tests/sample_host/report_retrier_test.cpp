// Refused reports re-sent in the background: the same outcomes until accepted, bounded, and never
// dropped without a word.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "recording_listener.hpp"
#include "report_retrier.hpp"
#include "scripted_gate.hpp"

namespace sample_gateway::testing {
namespace {

using namespace std::chrono_literals;
using api::Delivery;
using api::Reason;

PendingReport report(const std::string& batch_id) {
  return PendingReport{"acme",
                       batch_id,
                       {"+4915112345601", "+4915112345602"},
                       {Delivery::delivered, Delivery::failed}};
}

TEST(ReportRetrierTest, RefusedTwiceThenAcceptedIsAcceptedWithNothingLost) {
  ScriptedGate gate;
  RecordingListener listener;
  gate.answerReport({refused(Reason::ledger_timeout), settled(1, 61'800)});
  ReportRetrier retrier(gate, RetryPolicy{1ms, 4ms, 10s}, listener);

  retrier.add(report("b-1"), refused(Reason::ledger_unavailable));  // the sender's own refusal

  EXPECT_TRUE(retrier.finish().empty());
  const auto calls = gate.reportCalls();
  ASSERT_EQ(calls.size(), 2u);  // re-sent twice after the sender's one
  EXPECT_EQ(calls[0].batch_id, "b-1");
  EXPECT_EQ(calls[0].outcomes,
            (std::vector<std::pair<std::string, Delivery>>{{"+4915112345601", Delivery::delivered},
                                                           {"+4915112345602", Delivery::failed}}));
  EXPECT_EQ(calls[1], calls[0]);
  ASSERT_EQ(listener.accepted().size(), 1u);
  EXPECT_EQ(listener.accepted()[0].attempts, 3u);
  EXPECT_TRUE(listener.notAccepted().empty());
  EXPECT_EQ(retrier.pending(), 0u);
}

TEST(ReportRetrierTest, JournaledIsAcceptedTheResponsibilityIsThePlugins) {
  ScriptedGate gate;
  RecordingListener listener;
  gate.answerReport({journaled()});
  ReportRetrier retrier(gate, RetryPolicy{1ms, 4ms, 10s}, listener);

  retrier.add(report("b-1"), refused(Reason::ledger_unavailable));

  EXPECT_TRUE(retrier.finish().empty());
  ASSERT_EQ(listener.accepted().size(), 1u);
  EXPECT_TRUE(listener.accepted()[0].settlement.journaled);
}

TEST(ReportRetrierTest, RefusedForeverIsNotAcceptedAfterTheBoundAndListedAtFinish) {
  ScriptedGate gate;
  RecordingListener listener;
  gate.answerReport({refused(Reason::ledger_unavailable)});
  ReportRetrier retrier(gate, RetryPolicy{1ms, 4ms, 50ms}, listener);

  retrier.add(report("b-1"), refused(Reason::ledger_unavailable));
  retrier.add(report("b-2"), refused(Reason::ledger_in_doubt));

  const auto started = std::chrono::steady_clock::now();
  const std::vector<UnacceptedReport> unaccepted = retrier.finish();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // bounded, not forever
  ASSERT_EQ(unaccepted.size(), 2u);
  EXPECT_EQ(unaccepted[0].report.batch_id, "b-1");
  EXPECT_EQ(unaccepted[0].report.failed(), 1u);
  EXPECT_GE(unaccepted[0].attempts, 3u);  // it was re-sent, more than once
  EXPECT_EQ(unaccepted[0].last_answer.reason, Reason::ledger_unavailable);
  EXPECT_EQ(listener.notAccepted().size(), 2u);  // said when it happened, too
  EXPECT_TRUE(listener.accepted().empty());
}

TEST(ReportRetrierTest, WhatIsStillPendingIsListedForAnExitAtOnce) {
  ScriptedGate gate;
  RecordingListener listener;
  gate.answerReport({settled(0, 0)});
  ReportRetrier retrier(gate, RetryPolicy{2s, 2s, 10s}, listener);

  retrier.add(report("b-1"), refused(Reason::ledger_unavailable));

  EXPECT_EQ(retrier.pending(), 1u);
  const std::vector<UnacceptedReport> now = retrier.unaccepted();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].report.batch_id, "b-1");
  EXPECT_EQ(now[0].attempts, 1u);
  EXPECT_TRUE(retrier.finish().empty());  // accepted at its first re-send, 2 s later
}

TEST(ReportRetrierTest, ManyRefusedReportsAreEachReSentUntilAccepted) {
  ScriptedGate gate;
  RecordingListener listener;
  // The first 100 re-sends are refused: each of the 50 is refused more than once.
  std::vector<api::Settlement> answers(100, refused(Reason::ledger_unavailable));
  answers.push_back(settled(1, 61'800));
  gate.answerReport(answers);
  ReportRetrier retrier(gate, RetryPolicy{1ms, 2ms, 10s}, listener);

  for (int i = 0; i < 50; ++i) {
    retrier.add(report("b-" + std::to_string(i)), refused(Reason::ledger_unavailable));
  }

  EXPECT_TRUE(retrier.finish().empty());
  EXPECT_EQ(listener.accepted().size(), 50u);
  EXPECT_TRUE(listener.notAccepted().empty());
  EXPECT_EQ(gate.reportCalls().size(), 150u);  // 100 refused, then each of the 50 accepted once
}

}  // namespace
}  // namespace sample_gateway::testing
