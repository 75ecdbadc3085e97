// Many gateway threads on one tenant, with retries racing their originals: the money invariants hold
// exactly (DESIGN.md "Money and its invariants").
#include "gate_fixture.hpp"

#include <map>
#include <mutex>
#include <thread>

namespace creditgate::testing {
namespace {

constexpr int kThreads = 16;
constexpr int kBatchesPerThread = 500;

struct Seen {
  std::string batch_id;
  api::Verdict verdict;
};

class ConcurrencyTest : public GateTest {
 protected:
  // Every thread sends its own batches; every third one is also sent by the next thread, at about
  // the same moment as the original (same id, same content): a retry racing it.
  std::vector<Seen> storm() {
    std::vector<std::vector<Seen>> per_thread(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([this, t, &per_thread] {
        for (int i = 0; i < kBatchesPerThread; ++i) {
          for (int owner : {t, (t + 1) % kThreads}) {
            if (owner != t && i % 3 != 0) continue;
            const std::string id = "t" + std::to_string(owner) + "-b" + std::to_string(i);
            OwnedBatch b = batch("hot", id, germanNumbers(1, owner * 1000 + i));
            per_thread[t].push_back({id, gate_->decide(b.view())});
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    std::vector<Seen> all;
    for (auto& seen : per_thread) all.insert(all.end(), seen.begin(), seen.end());
    return all;
  }

  // The invariants, from the verdicts the gateway saw and from the ledger.
  void expectInvariants(const std::vector<Seen>& seen, std::int64_t initial, std::int64_t floor) {
    std::map<std::string, std::vector<const api::Verdict*>> by_id;
    std::int64_t charged_first_time = 0;
    for (const auto& s : seen) {
      ASSERT_TRUE(s.verdict.reason != api::Reason::internal_error &&
                  s.verdict.reason != api::Reason::ledger_unavailable &&
                  s.verdict.reason != api::Reason::ledger_timeout)
          << s.batch_id << ": " << api::reasonCode(s.verdict.reason) << " " << s.verdict.detail;
      by_id[s.batch_id].push_back(&s.verdict);
      if (s.verdict.decision != api::Decision::block && !s.verdict.replayed) {
        charged_first_time += s.verdict.charged_micros;
      }
    }
    for (const auto& [id, verdicts] : by_id) {
      int debits = 0;
      for (const api::Verdict* v : verdicts) debits += v->decision != api::Decision::block && !v->replayed;
      EXPECT_LE(debits, 1) << id << " was debited more than once";
      for (const api::Verdict* v : verdicts) {  // a replay reports the very same debit
        if (v->replayed) {
          EXPECT_EQ(debits, 1) << id << " replayed without an original";
        }
      }
    }
    const std::int64_t balance = db_.balance("hot");
    EXPECT_EQ(db_.ledgerSum("hot"), balance);
    EXPECT_EQ(initial - balance, charged_first_time);
    EXPECT_EQ(db_.queryInt("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM "
                           "creditgate.ledger_entry WHERE kind = 'debit' GROUP BY batch_id) d"),
              1);
    EXPECT_GE(db_.queryInt("SELECT min(balance_after_micros) FROM creditgate.ledger_entry"), floor);
    EXPECT_GE(balance, floor);
  }
};

TEST_F(ConcurrencyTest, SixteenThreadsWithRacingRetriesKeepTheLedgerExactUnderBlock) {
  const std::int64_t initial = 3000 * kEurGermanyMarketing;  // covers 3000 of 8000 batches
  db_.addTenant("hot", "EUR", initial);
  startGate(kBlockPolicy);
  const auto seen = storm();
  expectInvariants(seen, initial, 0);
  EXPECT_EQ(db_.balance("hot"), 0);  // credit ran out exactly: every micro-unit was spent
  EXPECT_EQ(db_.count("batch"), 3000);
}

TEST_F(ConcurrencyTest, SixteenThreadsWithRacingRetriesStopAtTheOverdraftLimitUnderFlag) {
  const std::int64_t initial = 3000 * kEurGermanyMarketing;
  const std::int64_t limit = 100 * kEurGermanyMarketing;  // "13.65" EUR
  db_.addTenant("hot", "EUR", initial);
  startGate(R"({"on_insufficient_credit": "flag", "overdraft_limit": "13.65"})");
  const auto seen = storm();
  expectInvariants(seen, initial, -limit);
  EXPECT_EQ(db_.balance("hot"), -limit);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.batch WHERE decision = 'allow_flagged'"),
            100);
}

}  // namespace
}  // namespace creditgate::testing
