// quote(): the same pricing and policy as decide(), with no side effect at all.
#include "gate_fixture.hpp"

namespace creditgate::testing {
namespace {

class QuoteTest : public GateTest {};

TEST_F(QuoteTest, BreaksThePriceDownByMarketAndChangesNothing) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  auto recipients = germanNumbers(2);
  for (auto& r : indianNumbers(3)) recipients.push_back(r);
  const auto entries = db_.count("ledger_entry");
  OwnedBatch b = batch("acme", "b-1", recipients);
  const api::Quote q = gate_->quote(b.view());
  EXPECT_EQ(q.decision, api::Decision::allow);
  EXPECT_EQ(q.total_micros, 2 * kEurGermanyMarketing + 3 * kEurMarketing);
  EXPECT_EQ(q.available_micros, 10'000'000);
  EXPECT_EQ(q.recipients_total, 5u);
  EXPECT_EQ(q.recipients_affordable, 5u);
  EXPECT_STREQ(q.currency, "EUR");
  ASSERT_EQ(q.lines.size(), 2u);
  std::map<std::string, api::QuoteLine> by_market;
  for (const auto& line : q.lines) by_market[line.market] = line;
  EXPECT_EQ(by_market["Germany"].recipients, 2u);
  EXPECT_EQ(by_market["Germany"].amount_micros, 2 * kEurGermanyMarketing);
  EXPECT_EQ(by_market["India"].unit_price_micros, kEurMarketing);
  EXPECT_EQ(db_.count("ledger_entry"), entries);
  EXPECT_EQ(db_.count("batch_refusal"), 0);
  // decide() then does what quote() said.
  const api::Verdict v = gate_->decide(b.view());
  EXPECT_EQ(v.decision, q.decision);
  EXPECT_EQ(v.charged_micros, q.total_micros);
}

TEST_F(QuoteTest, SaysHowManyRecipientsTheCreditCoversAndThatDecideWouldBlock) {
  db_.addTenant("bistro", "EUR", 3 * kEurGermanyMarketing + 5);
  startGate(kBlockPolicy);
  OwnedBatch b = batch("bistro", "b-1", germanNumbers(10));
  const api::Quote q = gate_->quote(b.view());
  EXPECT_EQ(q.decision, api::Decision::block);
  EXPECT_EQ(q.reason, api::Reason::insufficient_credit);
  EXPECT_EQ(q.recipients_affordable, 3u);
  EXPECT_EQ(db_.count("batch_refusal"), 0);  // a quote records nothing
}

TEST_F(QuoteTest, CountsTheOverdraftAsAvailableUnderFlag) {
  db_.addTenant("cafe", "EUR", 1'000'000);
  startGate(R"({"on_insufficient_credit": "flag", "overdraft_limit": "2"})");
  OwnedBatch b = batch("cafe", "b-1", germanNumbers(1));
  const api::Quote q = gate_->quote(b.view());
  EXPECT_EQ(q.available_micros, 3'000'000);
}

}  // namespace
}  // namespace creditgate::testing
