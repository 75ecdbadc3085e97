// decide(): the money semantics of DESIGN.md against a real PostgreSQL.
#include "gate_fixture.hpp"

namespace creditgate::testing {
namespace {

using api::Decision;
using api::Reason;

class DecideTest : public GateTest {};

TEST_F(DecideTest, AllowsAndDebitsTheExactPriceWhenCreditCovers) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  // 2 German + 3 Indian recipients: two markets, two prices.
  auto recipients = germanNumbers(2);
  for (auto& r : indianNumbers(3)) recipients.push_back(r);
  const api::Verdict v = decide(batch("acme", "b-1", recipients));
  const std::int64_t price = 2 * kEurGermanyMarketing + 3 * kEurMarketing;
  EXPECT_EQ(v.decision, Decision::allow);
  EXPECT_EQ(v.reason, Reason::ok);
  EXPECT_EQ(v.charged_micros, price);
  EXPECT_TRUE(v.balance_known);
  EXPECT_EQ(v.balance_after_micros, 10'000'000 - price);
  EXPECT_EQ(v.recipients_allowed, 5u);
  EXPECT_STREQ(v.currency, "EUR");
  EXPECT_FALSE(v.replayed);
  EXPECT_EQ(db_.balance("acme"), 10'000'000 - price);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

TEST_F(DecideTest, AllowsWhenBalanceEqualsTheCostExactly) {
  db_.addTenant("acme", "EUR", 3 * kEurGermanyMarketing);
  startGate(kBlockPolicy);
  const api::Verdict v = decide(batch("acme", "b-1", germanNumbers(3)));
  EXPECT_EQ(v.decision, Decision::allow);
  EXPECT_EQ(v.balance_after_micros, 0);
  EXPECT_EQ(db_.balance("acme"), 0);
}

TEST_F(DecideTest, BlocksOneMicroUnitShortUnderBlockAndDebitsNothing) {
  db_.addTenant("acme", "EUR", 3 * kEurGermanyMarketing - 1);
  startGate(kBlockPolicy);
  const api::Verdict v = decide(batch("acme", "b-1", germanNumbers(3)));
  EXPECT_EQ(v.decision, Decision::block);
  EXPECT_EQ(v.reason, Reason::insufficient_credit);
  EXPECT_EQ(v.charged_micros, 0);
  EXPECT_EQ(v.recipients_allowed, 0u);
  EXPECT_EQ(v.balance_after_micros, 3 * kEurGermanyMarketing - 1);
  EXPECT_EQ(db_.balance("acme"), 3 * kEurGermanyMarketing - 1);
  EXPECT_EQ(db_.count("batch_refusal"), 1);  // recorded with its reason
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.batch_refusal WHERE reason = "
                         "'insufficient_credit' AND shortfall_micros = 1"),
            1);
}

TEST_F(DecideTest, FlagsOneMicroUnitShortUnderFlagAndDebitsIntoTheOverdraft) {
  db_.addTenant("cafe", "EUR", 3 * kEurGermanyMarketing - 1);
  startGate(R"({"on_insufficient_credit": "flag", "overdraft_limit": "1.00"})");
  const api::Verdict v = decide(batch("cafe", "b-1", germanNumbers(3)));
  EXPECT_EQ(v.decision, Decision::allow_flagged);
  EXPECT_EQ(v.reason, Reason::overdraft);
  EXPECT_EQ(v.charged_micros, 3 * kEurGermanyMarketing);
  EXPECT_EQ(v.balance_after_micros, -1);
  EXPECT_EQ(db_.balance("cafe"), -1);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.batch WHERE decision = 'allow_flagged'"),
            1);  // the flagged batch is on record
}

TEST_F(DecideTest, FlagsDownToExactlyTheOverdraftLimitAndBlocksOneMicroUnitPastIt) {
  const std::int64_t limit = 100'000;  // "0.1"
  db_.addTenant("cafe", "EUR", 2 * kEurGermanyMarketing - limit);
  db_.addTenant("deli", "EUR", 2 * kEurGermanyMarketing - limit - 1);
  startGate(R"({"on_insufficient_credit": "flag", "overdraft_limit": "0.1"})");

  const api::Verdict at_limit = decide(batch("cafe", "b-1", germanNumbers(2)));
  EXPECT_EQ(at_limit.decision, Decision::allow_flagged);
  EXPECT_EQ(at_limit.balance_after_micros, -limit);

  const api::Verdict past_limit = decide(batch("deli", "b-1", germanNumbers(2)));
  EXPECT_EQ(past_limit.decision, Decision::block);
  EXPECT_EQ(past_limit.reason, Reason::overdraft_limit_exceeded);
  EXPECT_EQ(db_.balance("deli"), 2 * kEurGermanyMarketing - limit - 1);
}

TEST_F(DecideTest, PerTenantOverrideAppliesOnlyToThatTenant) {
  db_.addTenant("acme", "EUR", 0);
  db_.addTenant("cafe", "EUR", 0);
  startGate(R"({"on_insufficient_credit": "block",
               "tenants": {"cafe": {"on_insufficient_credit": "flag", "overdraft_limit": "5"}}})");
  EXPECT_EQ(decide(batch("acme", "b-1", germanNumbers(1))).decision, Decision::block);
  EXPECT_EQ(decide(batch("cafe", "b-1", germanNumbers(1))).decision, Decision::allow_flagged);
}

TEST_F(DecideTest, RetryWithSameIdAndContentReplaysTheOriginalVerdictAndMovesNoMoney) {
  db_.addTenant("acme", "EUR", 1'000'000);
  startGate(kBlockPolicy);
  const api::Verdict first = decide(batch("acme", "b-1", germanNumbers(2)));
  const std::int64_t balance = db_.balance("acme");
  const std::int64_t entries = db_.count("ledger_entry");
  const api::Verdict again = decide(batch("acme", "b-1", germanNumbers(2)));
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.decision, first.decision);
  EXPECT_EQ(again.charged_micros, first.charged_micros);
  EXPECT_EQ(again.balance_after_micros, first.balance_after_micros);
  EXPECT_EQ(again.recipients_allowed, first.recipients_allowed);
  EXPECT_EQ(db_.balance("acme"), balance);
  EXPECT_EQ(db_.count("ledger_entry"), entries);
}

TEST_F(DecideTest, SameIdWithDifferentContentIsRefusedAsBatchConflict) {
  db_.addTenant("acme", "EUR", 1'000'000);
  startGate(kBlockPolicy);
  decide(batch("acme", "b-1", germanNumbers(2)));
  const std::int64_t balance = db_.balance("acme");

  const api::Verdict other_recipients = decide(batch("acme", "b-1", germanNumbers(2, 100)));
  EXPECT_EQ(other_recipients.decision, Decision::block);
  EXPECT_EQ(other_recipients.reason, Reason::batch_conflict);

  OwnedBatch other_template = batch("acme", "b-1", germanNumbers(2));
  other_template.template_name = "another_template";
  EXPECT_EQ(decide(other_template).reason, Reason::batch_conflict);

  EXPECT_EQ(decide(batch("acme", "b-1", germanNumbers(2), "utility")).reason,
            Reason::batch_conflict);
  EXPECT_EQ(db_.balance("acme"), balance);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'debit'"), 1);
}

TEST_F(DecideTest, BlockedBatchDoesNotConsumeItsIdAndGoesThroughAfterTopUp) {
  db_.addTenant("bistro", "EUR", 100);
  startGate(kBlockPolicy);
  EXPECT_EQ(decide(batch("bistro", "b-1", germanNumbers(1))).decision, Decision::block);
  db_.topup("bistro", kEurGermanyMarketing, "topup-1");
  const api::Verdict after = decide(batch("bistro", "b-1", germanNumbers(1)));
  EXPECT_EQ(after.decision, Decision::allow);
  EXPECT_FALSE(after.replayed);
  EXPECT_EQ(db_.balance("bistro"), 100);
}

TEST_F(DecideTest, SameBatchIdOfAnotherTenantIsIndependent) {
  db_.addTenant("acme", "EUR", 1'000'000);
  db_.addTenant("cafe", "EUR", 1'000'000);
  startGate(kBlockPolicy);
  decide(batch("acme", "b-1", germanNumbers(1)));
  const api::Verdict v = decide(batch("cafe", "b-1", germanNumbers(3)));
  EXPECT_EQ(v.decision, Decision::allow);
  EXPECT_FALSE(v.replayed);
}

TEST_F(DecideTest, PricesInTheTenantsCurrency) {
  db_.addTenant("usco", "USD", 1'000'000);
  startGate(kBlockPolicy);
  const api::Verdict v = decide(batch("usco", "b-1", {"+12125550123", "+4915112345678"}));
  EXPECT_EQ(v.decision, Decision::allow);
  EXPECT_STREQ(v.currency, "USD");
  EXPECT_EQ(v.charged_micros, 2 * kUsdMarketing);
}

TEST_F(DecideTest, FreeMessagesAreNeverRefusedForLackOfCredit) {
  db_.addTenant("cafe", "EUR", 0);
  startGate(kBlockPolicy);
  const api::Verdict v = decide(batch("cafe", "b-1", germanNumbers(2), "service"));
  EXPECT_EQ(v.decision, Decision::allow);
  EXPECT_EQ(v.charged_micros, 0);
}

TEST_F(DecideTest, MissingRateBlocksWithRateNotFoundAndDebitsNothing) {
  db_.addTenant("acme", "EUR", 1'000'000);
  startGate(kBlockPolicy);
  const api::Verdict v =
      decide(batch("acme", "b-1", germanNumbers(1), "authentication_international"));
  EXPECT_EQ(v.decision, Decision::block);
  EXPECT_EQ(v.reason, Reason::rate_not_found);
  EXPECT_NE(std::string(v.detail).find("Germany"), std::string::npos) << v.detail;
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
}

}  // namespace
}  // namespace creditgate::testing
