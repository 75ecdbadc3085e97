// A decision or report whose request reached the ledger but whose answer was lost (the proxy breaks
// the connection as the answer comes back, and the retry on a fresh connection cannot connect):
// never a plain block or "not recorded". A host that retries learns the verdict; a host that gives
// up is not charged once the grace period has passed; a report is journaled and refunded once.
#include <chrono>
#include <thread>

#include "proxied_gate.hpp"

namespace creditgate::testing {
namespace {

using namespace std::chrono_literals;

class InDoubtTest : public ProxiedGateTest {
 protected:
  void SetUp() override {
    ProxiedGateTest::SetUp();
    db_.addTenant("acme", "EUR", 10'000'000);
  }

  void start(bool journal = true) {
    // No background polls (rates, watch, relay) while answers are lost: each test's own call is
    // the one that takes the pooled connection into the loss.
    ProxiedGateOptions options;
    options.journal = journal;
    options.rates_refresh_ms = 60'000;
    options.failure_extra = R"(, "in_doubt_grace_s": 1)";
    options.top_extra = R"(, "notifications": {"relay": {"enabled": false}})";
    startBehindProxy("", options);
    ASSERT_EQ(decide(batch("acme", "warm", germanNumbers(1, 900))).decision, api::Decision::allow);
  }

  // Replays the journal (the doubt reaches the ledger) and resolves due doubts until `batch_id`'s
  // doubt is resolved or 15 s passed; its resolution.
  std::string resolveDoubt(const std::string& batch_id) {
    for (int i = 0; i < 150; ++i) {
      plugin().replayJournalNow();
      plugin().resolveDoubtsNow();
      pqxx::nontransaction txn(db_.connection());
      const pqxx::result rows = txn.exec_params(
          "SELECT resolution FROM creditgate.decision_doubt WHERE batch_id = $1 "
          "AND resolution IS NOT NULL",
          batch_id);
      if (!rows.empty()) return rows[0][0].as<std::string>();
      std::this_thread::sleep_for(100ms);
    }
    return "unresolved";
  }

  std::int64_t debitsOf(const std::string& batch_id) {
    pqxx::nontransaction txn(db_.connection());
    return txn
        .exec_params1(
            "SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'debit' "
            "AND batch_id = $1",
            batch_id)[0]
        .as<std::int64_t>();
  }
};

TEST_F(InDoubtTest, AnAnswerLostAfterTheLedgerDebitedIsInDoubtNeverAPlainBlock) {
  start();
  const std::int64_t before = db_.balance("acme");
  proxy_->setMode(TcpProxy::Mode::lose_answers);
  const api::Verdict v = decide(batch("acme", "b1", germanNumbers(2)));
  EXPECT_EQ(v.decision, api::Decision::block);
  EXPECT_EQ(v.reason, api::Reason::ledger_in_doubt) << api::reasonCode(v.reason) << " " << v.detail;
  EXPECT_NE(std::string(v.detail).find("retry with the same batch_id"), std::string::npos)
      << v.detail;
  EXPECT_EQ(std::string(v.detail).find("cannot connect"), std::string::npos) << v.detail;
  // The ledger did take it: exactly what a plain "block" would have hidden.
  EXPECT_EQ(db_.balance("acme"), before - 2 * kEurGermanyMarketing);
  EXPECT_EQ(debitsOf("b1"), 1);
}

TEST_F(InDoubtTest, AHostThatRetriesGetsTheOriginalVerdictAndTheDebitStays) {
  start();
  const std::int64_t before = db_.balance("acme");
  proxy_->setMode(TcpProxy::Mode::lose_answers);
  ASSERT_EQ(decide(batch("acme", "b1", germanNumbers(2))).reason, api::Reason::ledger_in_doubt);
  proxy_->setMode(TcpProxy::Mode::forward);

  const api::Verdict retry = decideUntilTheLedgerAnswers(batch("acme", "b1", germanNumbers(2)));
  EXPECT_EQ(retry.decision, api::Decision::allow) << retry.detail;
  EXPECT_TRUE(retry.replayed);
  EXPECT_EQ(retry.charged_micros, 2 * kEurGermanyMarketing);

  EXPECT_EQ(resolveDoubt("b1"), "kept");
  EXPECT_EQ(db_.balance("acme"), before - 2 * kEurGermanyMarketing);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

TEST_F(InDoubtTest, AHostThatGivesUpIsNotChargedOnceTheGracePeriodHasPassed) {
  start();
  const std::int64_t before = db_.balance("acme");
  proxy_->setMode(TcpProxy::Mode::lose_answers);
  ASSERT_EQ(decide(batch("acme", "b1", germanNumbers(2))).reason, api::Reason::ledger_in_doubt);
  ASSERT_EQ(db_.balance("acme"), before - 2 * kEurGermanyMarketing);
  proxy_->setMode(TcpProxy::Mode::forward);

  EXPECT_EQ(resolveDoubt("b1"), "voided");
  EXPECT_EQ(db_.balance("acme"), before);
  EXPECT_EQ(db_.ledgerSum("acme"), before);
  EXPECT_TRUE(host_.logged("voided batch 'b1' of tenant 'acme': 0.273000 EUR given back"));
  EXPECT_EQ(
      metricValue(gate_->metricsText(), "creditgate_doubts_resolved_total{resolution=\"voided\"}"),
      1);

  // A retry much later still works: the id was given back, so it is decided afresh.
  const api::Verdict late = decide(batch("acme", "b1", germanNumbers(2)));
  EXPECT_EQ(late.decision, api::Decision::allow);
  EXPECT_FALSE(late.replayed);
  EXPECT_EQ(db_.balance("acme"), before - 2 * kEurGermanyMarketing);
}

TEST_F(InDoubtTest, AReportWhoseAnswerIsLostIsJournaledAndRefundedExactlyOnce) {
  start();
  ASSERT_EQ(decide(batch("acme", "b1", germanNumbers(2))).decision, api::Decision::allow);
  const std::int64_t before = db_.balance("acme");
  const auto numbers = germanNumbers(2);
  const api::RecipientOutcome outcomes[] = {{numbers[0], api::Delivery::failed},
                                            {numbers[1], api::Delivery::delivered}};
  proxy_->setMode(TcpProxy::Mode::lose_answers);
  const api::Settlement s = gate_->report({"acme", "b1", outcomes});
  EXPECT_TRUE(s.ok) << s.detail;
  EXPECT_TRUE(s.journaled);
  EXPECT_EQ(s.reason, api::Reason::ledger_unavailable);
  EXPECT_EQ(db_.balance("acme"), before + kEurGermanyMarketing);  // it did reach the ledger

  proxy_->setMode(TcpProxy::Mode::forward);
  for (int i = 0; i < 100 && plugin().replayJournalNow() == 0; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(db_.balance("acme"), before + kEurGermanyMarketing);  // refunded once, not twice
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'refund'"), 1);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

TEST_F(InDoubtTest, WithoutAJournalAReportInDoubtAsksTheHostToSendItAgain) {
  start(/*journal=*/false);
  ASSERT_EQ(decide(batch("acme", "b1", germanNumbers(1))).decision, api::Decision::allow);
  const std::int64_t before = db_.balance("acme");
  const auto numbers = germanNumbers(1);
  const api::RecipientOutcome outcomes[] = {{numbers[0], api::Delivery::failed}};
  proxy_->setMode(TcpProxy::Mode::lose_answers);
  const api::Settlement s = gate_->report({"acme", "b1", outcomes});
  EXPECT_FALSE(s.ok);
  EXPECT_FALSE(s.journaled);
  EXPECT_EQ(s.reason, api::Reason::ledger_in_doubt);
  EXPECT_NE(std::string(s.detail).find("re-send"), std::string::npos) << s.detail;

  proxy_->setMode(TcpProxy::Mode::forward);
  api::Settlement again;
  for (int i = 0; i < 100; ++i) {
    again = gate_->report({"acme", "b1", outcomes});
    if (again.ok) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(again.ok) << again.detail;
  EXPECT_EQ(again.already_settled, 1u);  // the lost one had been recorded
  EXPECT_EQ(db_.balance("acme"), before + kEurGermanyMarketing);
}

}  // namespace
}  // namespace creditgate::testing
