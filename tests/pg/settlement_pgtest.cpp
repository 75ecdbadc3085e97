// report(): undelivered recipients are refunded exactly once, whatever the order and repetition.
#include "gate_fixture.hpp"

namespace creditgate::testing {
namespace {

using api::Delivery;
using api::Reason;

class SettlementTest : public GateTest {
 protected:
  api::Settlement report(const std::string& tenant, const std::string& batch_id,
                         const std::vector<std::pair<std::string, Delivery>>& outcomes) {
    std::vector<api::RecipientOutcome> views;
    for (const auto& [recipient, delivery] : outcomes) views.push_back({recipient, delivery});
    return gate_->report(api::OutcomeReport{tenant, batch_id, views});
  }
};

TEST_F(SettlementTest, RefundsEachFailedRecipientOnceInAnyOrderAndReplaysChangeNothing) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  const auto recipients = germanNumbers(5);
  ASSERT_EQ(decide(batch("acme", "b-1", recipients)).decision, api::Decision::allow);
  const std::int64_t after_debit = db_.balance("acme");

  // Out of order, in pieces: r3 and r1 fail, r2 delivered.
  api::Settlement first = report("acme", "b-1", {{recipients[3], Delivery::failed},
                                                 {recipients[1], Delivery::failed}});
  EXPECT_TRUE(first.ok);
  EXPECT_EQ(first.refunded_recipients, 2u);
  EXPECT_EQ(first.refunded_micros, 2 * kEurGermanyMarketing);
  EXPECT_EQ(first.balance_after_micros, after_debit + 2 * kEurGermanyMarketing);

  api::Settlement second = report("acme", "b-1", {{recipients[2], Delivery::delivered}});
  EXPECT_EQ(second.refunded_recipients, 0u);

  // First terminal state wins: r2 was delivered, a later "failed" refunds nothing.
  api::Settlement late = report("acme", "b-1", {{recipients[2], Delivery::failed}});
  EXPECT_EQ(late.refunded_micros, 0);
  EXPECT_EQ(late.already_settled, 1u);

  // The whole report again, twice, concurrently-safe: nothing changes.
  for (int i = 0; i < 2; ++i) {
    api::Settlement replay = report("acme", "b-1", {{recipients[1], Delivery::failed},
                                                    {recipients[3], Delivery::failed},
                                                    {recipients[2], Delivery::delivered}});
    EXPECT_EQ(replay.refunded_recipients, 0u);
    EXPECT_EQ(replay.already_settled, 3u);
  }
  EXPECT_EQ(db_.balance("acme"), after_debit + 2 * kEurGermanyMarketing);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'refund'"), 2);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

TEST_F(SettlementTest, RefundsTheUnitPriceEachRecipientWasChargedInMixedMarkets) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  std::vector<std::string> recipients = {"+4915112345678", "+919812345678"};
  ASSERT_EQ(decide(batch("acme", "b-1", recipients)).decision, api::Decision::allow);
  api::Settlement s = report("acme", "b-1", {{recipients[0], Delivery::failed},
                                             {recipients[1], Delivery::failed}});
  EXPECT_EQ(s.refunded_micros, kEurGermanyMarketing + kEurMarketing);
  EXPECT_EQ(db_.balance("acme"), 10'000'000);
}

TEST_F(SettlementTest, OutcomeForARecipientNotInTheBatchIsIgnoredAndCounted) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  ASSERT_EQ(decide(batch("acme", "b-1", germanNumbers(2))).decision, api::Decision::allow);
  const std::int64_t balance = db_.balance("acme");
  api::Settlement s = report("acme", "b-1", {{"+4915199999999", Delivery::failed}});
  EXPECT_TRUE(s.ok);
  EXPECT_EQ(s.not_in_batch, 1u);
  EXPECT_EQ(s.refunded_micros, 0);
  EXPECT_EQ(db_.balance("acme"), balance);
}

TEST_F(SettlementTest, ReportForABatchThatWasNeverAllowedIsRefusedAsUnknownBatch) {
  db_.addTenant("bistro", "EUR", 0);
  startGate(kBlockPolicy);
  ASSERT_EQ(decide(batch("bistro", "b-1", germanNumbers(1))).decision, api::Decision::block);
  api::Settlement s = report("bistro", "b-1", {{germanNumbers(1)[0], Delivery::failed}});
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, Reason::unknown_batch);
  EXPECT_EQ(db_.balance("bistro"), 0);
}

TEST_F(SettlementTest, ReportWithAnEmptyRecipientIsRefusedAsInvalidOutcome) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  ASSERT_EQ(decide(batch("acme", "b-1", germanNumbers(1))).decision, api::Decision::allow);
  api::Settlement s = report("acme", "b-1", {{"", Delivery::failed}});
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, Reason::invalid_outcome);
}

TEST_F(SettlementTest, ConcurrentReportsOfTheSameFailuresRefundOnce) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  const auto recipients = germanNumbers(20);
  ASSERT_EQ(decide(batch("acme", "b-1", recipients)).decision, api::Decision::allow);
  const std::int64_t after_debit = db_.balance("acme");
  std::vector<std::pair<std::string, Delivery>> all_failed;
  for (const auto& r : recipients) all_failed.emplace_back(r, Delivery::failed);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] { report("acme", "b-1", all_failed); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(db_.balance("acme"), after_debit + 20 * kEurGermanyMarketing);
  EXPECT_EQ(db_.balance("acme"), 10'000'000);
}

}  // namespace
}  // namespace creditgate::testing
