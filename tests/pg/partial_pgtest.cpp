// Policy "partial": send the affordable first n recipients, debit exactly their price, hold the rest.
#include "gate_fixture.hpp"

namespace creditgate::testing {
namespace {

using api::Decision;
using api::Reason;

constexpr const char* kPartialPolicy = R"({"on_insufficient_credit": "partial"})";

class PartialTest : public GateTest {};

TEST_F(PartialTest, SendsTheFirstRecipientsTheCreditCoversExactlyAtTheBoundary) {
  db_.addTenant("otp", "EUR", 3 * kEurGermanyMarketing);
  startGate(kPartialPolicy);
  const api::Verdict v = decide(batch("otp", "b-1", germanNumbers(5)));
  EXPECT_EQ(v.decision, Decision::allow_partial);
  EXPECT_EQ(v.reason, Reason::partial_credit);
  EXPECT_EQ(v.recipients_allowed, 3u);
  EXPECT_EQ(v.charged_micros, 3 * kEurGermanyMarketing);
  EXPECT_EQ(v.balance_after_micros, 0);
  EXPECT_EQ(db_.balance("otp"), 0);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.held_recipient WHERE batch_id = 'b-1'"), 2);
}

TEST_F(PartialTest, OneMicroUnitShortOfTheNextRecipientSendsOneFewer) {
  db_.addTenant("otp", "EUR", 3 * kEurGermanyMarketing - 1);
  startGate(kPartialPolicy);
  const api::Verdict v = decide(batch("otp", "b-1", germanNumbers(5)));
  EXPECT_EQ(v.recipients_allowed, 2u);
  EXPECT_EQ(v.charged_micros, 2 * kEurGermanyMarketing);
  EXPECT_EQ(db_.balance("otp"), kEurGermanyMarketing - 1);
}

TEST_F(PartialTest, DebitEqualsThePriceOfTheAllowedPrefixWithMixedPrices) {
  // Germany, India, Germany, India: running prices 136500, 198300, 334800, 396600.
  const std::int64_t balance = kEurGermanyMarketing + kEurMarketing + kEurGermanyMarketing - 1;
  db_.addTenant("otp", "EUR", balance);
  startGate(kPartialPolicy);
  const api::Verdict v = decide(batch(
      "otp", "b-1", {"+4915110000001", "+919810000001", "+4915110000002", "+919810000002"}));
  EXPECT_EQ(v.decision, Decision::allow_partial);
  EXPECT_EQ(v.recipients_allowed, 2u);
  EXPECT_EQ(v.charged_micros, kEurGermanyMarketing + kEurMarketing);
  EXPECT_EQ(db_.balance("otp"), balance - v.charged_micros);
  EXPECT_EQ(db_.ledgerSum("otp"), db_.balance("otp"));
}

TEST_F(PartialTest, AllowsEverythingWhenCreditCoversTheWholeBatch) {
  db_.addTenant("otp", "EUR", 10'000'000);
  startGate(kPartialPolicy);
  const api::Verdict v = decide(batch("otp", "b-1", germanNumbers(5)));
  EXPECT_EQ(v.decision, Decision::allow);
  EXPECT_EQ(v.recipients_allowed, 5u);
}

TEST_F(PartialTest, BlocksWhenNotEvenTheFirstRecipientIsAffordable) {
  db_.addTenant("otp", "EUR", kEurGermanyMarketing - 1);
  startGate(kPartialPolicy);
  const api::Verdict v = decide(batch("otp", "b-1", germanNumbers(5)));
  EXPECT_EQ(v.decision, Decision::block);
  EXPECT_EQ(v.reason, Reason::insufficient_credit);
  EXPECT_EQ(db_.balance("otp"), kEurGermanyMarketing - 1);
}

TEST_F(PartialTest, RetryReplaysTheSameCountAndHeldRecipientsAreNotRefundable) {
  db_.addTenant("otp", "EUR", 2 * kEurGermanyMarketing);
  startGate(kPartialPolicy);
  const auto recipients = germanNumbers(4);
  const api::Verdict first = decide(batch("otp", "b-1", recipients));
  const api::Verdict again = decide(batch("otp", "b-1", recipients));
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.recipients_allowed, first.recipients_allowed);
  // A held recipient was never sent: an outcome for it refunds nothing.
  const std::vector<api::RecipientOutcome> outcomes = {{recipients[3], api::Delivery::failed},
                                                       {recipients[0], api::Delivery::failed}};
  const api::Settlement s = gate_->report({"otp", "b-1", outcomes});
  EXPECT_EQ(s.not_in_batch, 1u);
  EXPECT_EQ(s.refunded_micros, kEurGermanyMarketing);
  EXPECT_EQ(db_.balance("otp"), kEurGermanyMarketing);
}

}  // namespace
}  // namespace creditgate::testing
