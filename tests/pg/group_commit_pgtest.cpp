// Group commit: one flush (one transaction) with every kind of batch in it; each keeps its own
// verdict in arrival order, and every ledger row is exactly what one-by-one decisions would write.
#include <thread>
#include <vector>

#include "decisions.hpp"
#include "gate_fixture.hpp"
#include "ledger_statements.hpp"

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

  DecisionRequest view() const {
    DecisionRequest r;
    r.tenant_id = tenant;
    r.batch_id = batch_id;
    r.campaign_id = "c";
    r.template_name = "t";
    r.category = "marketing";
    r.recipients = recipients;
    r.unit_prices_micros.assign(recipients.size(), kPrice);
    r.currency = "EUR";
    r.policy = policy;
    r.overdraft_limit_micros = overdraft;
    r.rate_card_id = 1;
    return r;
  }
};

class GroupCommitTest : public GateTest {
 protected:
  Database database_{[this] {
                       PoolOptions options{db_.pluginDsn(), 2, 5000, 3};
                       options.prepared_statements = !testUnprepared();
                       return options;
                     }(),
                     ledgerStatements()};
  Decisions decisions_{database_};
  Database::Deadline deadline() { return Database::Clock::now() + std::chrono::seconds(5); }
  // With a batch the database refuses, decide_batches takes the flush one by one; without, whole
  // (sql/015_one_decision_rule.sql). Every verdict and row must be the same either way.
  void decideMixedFlush(bool with_a_failing_batch);
};

void GroupCommitTest::decideMixedFlush(bool with_a_failing_batch) {
  db_.addTenant("acme", "EUR", 5 * kPrice);
  db_.addTenant("cafe", "EUR", 0);
  // Decided before the flush: "dup" will be retried as is, "conf" with other recipients.
  Request dup{"acme", "dup", "block", {"+4915110000001"}};
  Request conf{"acme", "conf", "block", {"+4915110000002"}};
  ASSERT_EQ(decisions_.decide(dup.view(), deadline()).decision, api::Decision::allow);
  ASSERT_EQ(decisions_.decide(conf.view(), deadline()).decision, api::Decision::allow);
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
  std::vector<std::string> json;
  for (const auto& request : flush) json.push_back(decisionRequestJson(request.view()));
  const auto before_entries = db_.count("ledger_entry");
  const Decisions::Flush decided = decisions_.decideAll(json, deadline());
  const auto& results = decided.results;
  ASSERT_EQ(results.size(), flush.size());
  // A batch the ledger refuses sends the flush one batch at a time, and it says so.
  EXPECT_EQ(decided.fallback.has_value(), with_a_failing_batch);

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

// Breaks the fast path on purpose: a trigger makes the ledger refuse one batch of a flush, so the
// flush cannot be taken whole. The flush then goes one batch at a time: the poisoned batch fails
// alone, the others are decided as ever, and the fallback shows where an SRE looks: the metric
// behind CreditgateFlushFallingBack and a log line saying why.
TEST_F(GroupCommitTest, AFlushThatFallsBackIsCountedAndLoggedAndOnlyItsBadBatchFails) {
  for (const char* tenant : {"holder", "acme", "bistro", "cafe"}) {
    db_.addTenant(tenant, "EUR", 10 * kEurGermanyMarketing);
  }
  db_.exec(R"(CREATE FUNCTION creditgate.poison() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                 IF NEW.batch_id LIKE 'poison%' THEN
                   RAISE EXCEPTION 'poisoned batch %', NEW.batch_id;
                 END IF;
                 RETURN NEW;
               END $$;
               CREATE TRIGGER poison BEFORE INSERT ON creditgate.batch
                 FOR EACH ROW EXECUTE FUNCTION creditgate.poison())");
  // A pool of 2: one flusher, so decisions queued while it is busy go out in one flush.
  startGateWithConfig(
      R"({"database": {"dsn": ")" + db_.pluginDsn() +
      R"(", "pool_size": 2, "statement_timeout_ms": 20000},)"
      R"( "policy": {"on_insufficient_credit": "block"}, "metrics": {"listen": ""}})");
  const auto fallbacks = [&] {
    return metricValue(gate_->metricsText(), "creditgate_flush_fallbacks_total");
  };
  ASSERT_EQ(fallbacks(), 0);

  // Keep the only flusher busy: its flush waits for the row lock this transaction holds.
  pqxx::connection blocker(db_.superuserDsn());
  pqxx::work hold(blocker);
  hold.exec("SELECT 1 FROM creditgate.tenant WHERE tenant_id = 'holder' FOR UPDATE");
  std::vector<std::thread> callers;
  std::vector<api::Verdict> verdicts(4);
  callers.emplace_back([&] { verdicts[0] = decide(batch("holder", "h-1", germanNumbers(1))); });
  while (db_.queryInt("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                      "AND query LIKE '%decide_batches%'") == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  callers.emplace_back([&] { verdicts[1] = decide(batch("acme", "ok-1", germanNumbers(1))); });
  callers.emplace_back(
      [&] { verdicts[2] = decide(batch("bistro", "poison-1", germanNumbers(1))); });
  callers.emplace_back([&] { verdicts[3] = decide(batch("cafe", "ok-2", germanNumbers(1))); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all three queued by now
  hold.commit();
  for (auto& caller : callers) caller.join();

  EXPECT_EQ(verdicts[0].decision, api::Decision::allow);
  EXPECT_EQ(verdicts[1].decision, api::Decision::allow);
  EXPECT_EQ(verdicts[2].decision, api::Decision::block);
  EXPECT_EQ(verdicts[2].reason, api::Reason::internal_error);
  EXPECT_EQ(verdicts[3].decision, api::Decision::allow);
  EXPECT_EQ(fallbacks(), 1);
  EXPECT_TRUE(
      host_.logged("batches was decided one batch at a time (P0001: poisoned batch "
                   "poison-1)"));
  EXPECT_EQ(db_.balance("bistro"), 10 * kEurGermanyMarketing);  // the failed batch moved nothing
  EXPECT_EQ(db_.ledgerSum("bistro"), 10 * kEurGermanyMarketing);
  EXPECT_EQ(db_.balance("acme"), 9 * kEurGermanyMarketing);
  EXPECT_EQ(db_.balance("cafe"), 9 * kEurGermanyMarketing);
}

// Gathering (group_commit.gather_us): after a flush, the flusher waits for the callers it has just
// answered before it takes the queue, so that a hot tenant's callers share one commit instead of
// splitting into groups that take turns. Seen in the ledger: batches of one flush share their
// transaction's decided_at. Four callers of one tenant: "first" is in a flush held on the tenant's
// row lock while b, c and d queue behind it; first's caller decides again ("again") 3 ms after its
// answer, as a client over HTTP would, a round trip later.
class GatheringTest : public GateTest {
 protected:
  // Batch ids in the order of their flushes, those of one flush joined by '+': "first", "b+c+d".
  std::vector<std::string> flushesWith(int gather_us) {
    db_.addTenant("acme", "EUR", 100 * kEurGermanyMarketing);
    // A pool of 2: one flusher, so the order of the flushes is known.
    startGateWithConfig(R"({"database": {"dsn": ")" + db_.pluginDsn() +
                        R"(", "pool_size": 2, "statement_timeout_ms": 20000,)"
                        R"( "group_commit": {"gather_us": )" +
                        std::to_string(gather_us) +
                        R"(}}, "policy": {"on_insufficient_credit": "block"},)"
                        R"( "metrics": {"listen": ""}})");
    pqxx::connection blocker(db_.superuserDsn());
    pqxx::work hold(blocker);
    hold.exec("SELECT 1 FROM creditgate.tenant WHERE tenant_id = 'acme' FOR UPDATE");
    std::vector<std::thread> callers;
    callers.emplace_back([&] {
      decide(batch("acme", "first", germanNumbers(1)));
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
      decide(batch("acme", "again", germanNumbers(1)));
    });
    while (db_.queryInt("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE '%decide_%'") == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (const char* id : {"b", "c", "d"}) {
      callers.emplace_back([this, id] { decide(batch("acme", id, germanNumbers(1))); });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // b, c and d queued by now
    hold.commit();
    for (auto& caller : callers) caller.join();
    std::vector<std::string> flushes;
    pqxx::nontransaction read(db_.connection());
    for (const auto& row :
         read.exec("SELECT string_agg(batch_id, '+' ORDER BY batch_id) FROM creditgate.batch "
                   "WHERE tenant_id = 'acme' GROUP BY decided_at ORDER BY decided_at")) {
      flushes.push_back(row[0].c_str());
    }
    return flushes;
  }
};

TEST_F(GatheringTest, AFlusherGathersTheCallersItJustAnsweredIntoItsNextFlush) {
  EXPECT_EQ(flushesWith(10000), (std::vector<std::string>{"first", "again+b+c+d"}));
  const std::string scrape = gate_->metricsText();
  EXPECT_EQ(metricValue(scrape, "creditgate_flush_gathers_total{result=\"complete\"}"), 1)
      << scrape;
  EXPECT_EQ(db_.balance("acme"), 95 * kEurGermanyMarketing);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

TEST_F(GatheringTest, WithoutGatheringTheReturningCallerWaitsForTheFlushAfter) {
  EXPECT_EQ(flushesWith(0), (std::vector<std::string>{"first", "b+c+d", "again"}));
  EXPECT_EQ(
      metricValue(gate_->metricsText(), "creditgate_flush_gathers_total{result=\"complete\"}"), 0);
}

// One caller deciding again and again (scenario B's shape) is never kept waiting for a second
// caller that does not exist, however soon it comes back: no flush gathers.
TEST_F(GatheringTest, ALoneCallerNeverWaits) {
  db_.addTenant("acme", "EUR", 100 * kEurGermanyMarketing);
  startGateWithConfig(
      R"({"database": {"dsn": ")" + db_.pluginDsn() +
      R"(", "group_commit": {"gather_us": 10000}},)"
      R"( "policy": {"on_insufficient_credit": "block"}, "metrics": {"listen": ""}})");
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(decide(batch("acme", "lone-" + std::to_string(i), germanNumbers(1))).decision,
              api::Decision::allow);
  }
  const std::string scrape = gate_->metricsText();
  EXPECT_EQ(metricValue(scrape, "creditgate_flush_gathers_total{result=\"complete\"}"), 0)
      << scrape;
  EXPECT_EQ(metricValue(scrape, "creditgate_flush_gathers_total{result=\"timeout\"}"), 0) << scrape;
  EXPECT_EQ(db_.balance("acme"), 70 * kEurGermanyMarketing);
}

}  // namespace
}  // namespace creditgate::testing
