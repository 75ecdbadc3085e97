// Group commit: one flush (one transaction) with every kind of batch in it; each keeps its own
// verdict in arrival order, and every ledger row is exactly what one-by-one decisions would write.
#include "gate_fixture.hpp"

#include "ledger.hpp"

namespace creditgate::testing {
namespace {

constexpr std::int64_t kPrice = 100'000;

struct Request {
  Request(std::string tenant_id, std::string id, std::string policy_name,
          std::vector<std::string> to, std::int64_t overdraft_limit = 0)
      : tenant(std::move(tenant_id)),
        batch_id(std::move(id)),
        policy(std::move(policy_name)),
        recipients(std::move(to)),
        overdraft(overdraft_limit) {}

  std::string tenant, batch_id, policy;
  std::vector<std::string> recipients;
  std::int64_t overdraft = 0;
  std::vector<std::string_view> views;
  std::vector<std::int64_t> prices;

  DecisionRequest view() {
    views.assign(recipients.begin(), recipients.end());
    prices.assign(recipients.size(), kPrice);
    DecisionRequest r;
    r.tenant_id = tenant;
    r.batch_id = batch_id;
    r.campaign_id = "c";
    r.template_name = "t";
    r.category = "marketing";
    r.recipients = views;
    r.unit_prices_micros = prices;
    r.currency = "EUR";
    r.policy = policy;
    r.overdraft_limit_micros = overdraft;
    r.rate_card_id = 1;
    return r;
  }
};

class GroupCommitTest : public GateTest {
 protected:
  Ledger ledger_{PoolOptions{db_.pluginDsn(), 2, 5000, 3}};
  Ledger::Deadline deadline() { return ConnectionPool::Clock::now() + std::chrono::seconds(5); }
  // With a batch the database refuses, decide_batches takes the flush one by one; without, together
  // (sql/012_group_commit.sql). Every verdict and row must be the same either way.
  void decideMixedFlush(bool with_a_failing_batch);
};

void GroupCommitTest::decideMixedFlush(bool with_a_failing_batch) {
  db_.addTenant("acme", "EUR", 5 * kPrice);
  db_.addTenant("cafe", "EUR", 0);
  // Decided before the flush: "dup" will be retried as is, "conf" with other recipients.
  Request dup{"acme", "dup", "block", {"+4915110000001"}};
  Request conf{"acme", "conf", "block", {"+4915110000002"}};
  ASSERT_EQ(ledger_.decide(dup.view(), deadline()).decision, api::Decision::allow);
  ASSERT_EQ(ledger_.decide(conf.view(), deadline()).decision, api::Decision::allow);
  // acme now has 3 prices of credit.

  std::vector<Request> flush = {
      {"acme", "b1", "block", {"+4915120000001", "+4915120000002"}},  // allow: 3 -> 1
      {"acme", "b2", "block", {"+4915130000001", "+4915130000002"}},  // block: 1 < 2
      dup,                                                            // replay of the original
      {"acme", "conf", "block", {"+4915140000001"}},                  // batch_conflict
      {"cafe", "f1", "flag", {"+4915150000001"}, 5 * kPrice},         // allow_flagged: 0 -> -1
      {"acme", "bad", "block", {}},                                   // fails alone
      {"acme", "b3", "block", {"+4915160000001"}},                    // allow: 1 -> 0, after b2
  };
  if (!with_a_failing_batch) flush[5] = {"ghost", "g1", "block", {"+4915170000001"}};  // unknown
  std::string json = "[";
  for (std::size_t i = 0; i < flush.size(); ++i) {
    json += (i ? "," : "") + decisionRequestJson(flush[i].view());
  }
  json += "]";
  const auto before_entries = db_.count("ledger_entry");
  const auto results = ledger_.decideMany(json, flush.size(), deadline());
  ASSERT_EQ(results.size(), flush.size());

  auto verdict = [&](std::size_t i) { return results[i].decision; };
  EXPECT_EQ(verdict(0).decision, api::Decision::allow);
  EXPECT_EQ(verdict(0).balance_after_micros, kPrice);
  EXPECT_EQ(verdict(1).decision, api::Decision::block);
  EXPECT_EQ(verdict(1).reason, api::Reason::insufficient_credit);
  EXPECT_TRUE(verdict(2).replayed);
  EXPECT_EQ(verdict(2).charged_micros, kPrice);
  EXPECT_EQ(verdict(2).balance_after_micros, 4 * kPrice);  // as it was answered the first time
  EXPECT_EQ(verdict(3).reason, api::Reason::batch_conflict);
  EXPECT_EQ(verdict(4).decision, api::Decision::allow_flagged);
  EXPECT_EQ(verdict(4).balance_after_micros, -kPrice);
  if (with_a_failing_batch) {
    EXPECT_TRUE(results[5].error.has_value());
  } else {
    ASSERT_FALSE(results[5].error.has_value());
    EXPECT_EQ(verdict(5).reason, api::Reason::unknown_tenant);
    EXPECT_FALSE(verdict(5).balance_after_micros.has_value());
  }
  EXPECT_FALSE(results[6].error.has_value());
  EXPECT_EQ(verdict(6).decision, api::Decision::allow);
  EXPECT_EQ(verdict(6).balance_after_micros, 0);

  // Exactly three new debits (b1, f1, b3), in arrival order, with the right running balances.
  pqxx::nontransaction txn(db_.connection());
  const auto rows = txn.exec(
      "SELECT tenant_id, batch_id, amount_micros, balance_after_micros, floor_micros "
      "FROM creditgate.ledger_entry WHERE kind = 'debit' AND entry_id > " +
      std::to_string(before_entries) + " ORDER BY entry_id");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1].as<std::string>(), "b1");
  EXPECT_EQ(rows[0][2].as<std::int64_t>(), -2 * kPrice);
  EXPECT_EQ(rows[0][3].as<std::int64_t>(), kPrice);
  EXPECT_EQ(rows[1][1].as<std::string>(), "f1");
  EXPECT_EQ(rows[1][3].as<std::int64_t>(), -kPrice);
  EXPECT_EQ(rows[1][4].as<std::int64_t>(), -5 * kPrice);
  EXPECT_EQ(rows[2][1].as<std::string>(), "b3");
  EXPECT_EQ(rows[2][3].as<std::int64_t>(), 0);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM creditgate.batch_refusal WHERE batch_id IN "
                      "('b2', 'conf')")[0].as<int>(),
            2);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM creditgate.batch WHERE batch_id = 'bad'")[0].as<int>(),
            0);
  txn.commit();
  EXPECT_EQ(db_.balance("acme"), 0);
  EXPECT_EQ(db_.balance("cafe"), -kPrice);
  EXPECT_EQ(db_.ledgerSum("acme"), 0);
  EXPECT_EQ(db_.ledgerSum("cafe"), -kPrice);
}

TEST_F(GroupCommitTest, OneFlushMixingEveryKindOfBatchGetsEveryVerdictAndLedgerRowRight) {
  decideMixedFlush(/*with_a_failing_batch=*/false);
}

TEST_F(GroupCommitTest, OneFlushWithAFailingBatchFailsOnlyThatBatch) {
  decideMixedFlush(/*with_a_failing_batch=*/true);
}

TEST_F(GroupCommitTest, NaivePathWithoutGroupCommitKeepsTheSameSemantics) {
  db_.addTenant("acme", "EUR", 2 * kEurGermanyMarketing);
  startGateWithConfig(R"({"database": {"dsn": ")" + db_.pluginDsn() +
                      R"(", "group_commit": {"enabled": false}}, "metrics": {"listen": ""}})");
  EXPECT_EQ(decide(batch("acme", "b-1", germanNumbers(2))).decision, api::Decision::allow);
  EXPECT_TRUE(decide(batch("acme", "b-1", germanNumbers(2))).replayed);
  EXPECT_EQ(decide(batch("acme", "b-2", germanNumbers(1))).reason,
            api::Reason::insufficient_credit);
}

}  // namespace
}  // namespace creditgate::testing
