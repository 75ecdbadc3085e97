// Killed backends (pg_terminate_backend on every connection of the plugin's role, mid-load): the pool
// recovers. Only the decisions in flight at the moment of the kill may fail (ledger_unavailable or
// ledger_timeout); every decision that starts after it succeeds; the money invariants hold exactly
// once the failed ones are retried with the same batch id and content.
#include "gate_fixture.hpp"
#include "money_audit.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

namespace creditgate::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kThreads = 8;
constexpr int kTenants = 4;
constexpr int kKills = 3;
constexpr std::int64_t kInitialCredit = 1'000'000'000'000;

struct Decided {
  OwnedBatch batch;
  api::Verdict verdict;
  Clock::time_point started, finished;
};

class KilledBackendsTest : public GateTest {
 protected:
  // Terminates every backend of the plugin's login in this test's database; how many.
  int terminatePluginBackends() {
    pqxx::connection killer(db_.superuserDsn());
    pqxx::nontransaction txn(killer);
    return txn.exec1("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM "
                     "pg_stat_activity WHERE usename = 'creditgate_test_plugin' AND datname = "
                     "current_database()")[0]
        .as<int>();
  }
};

TEST_F(KilledBackendsTest, PoolRecoversAndOnlyInFlightDecisionsFail) {
  for (int i = 0; i < kTenants; ++i) db_.addTenant("k" + std::to_string(i), "EUR", kInitialCredit);
  startGate(kBlockPolicy);

  std::atomic<bool> stop{false};
  std::atomic<int> decided{0};
  std::vector<std::vector<Decided>> per_thread(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load() && i < 20'000; ++i) {
        Decided d;
        d.batch = batch("k" + std::to_string((t + i) % kTenants),
                        "t" + std::to_string(t) + "-" + std::to_string(i),
                        germanNumbers(1 + i % 2, t * 100'000 + i * 2));
        d.started = Clock::now();
        d.verdict = gate_->decide(d.batch.view());
        d.finished = Clock::now();
        const bool failed = d.verdict.decision == api::Decision::block;
        per_thread[t].push_back(std::move(d));
        decided.fetch_add(1);
        if (failed) std::this_thread::sleep_for(10ms);  // a gateway backs off a little
      }
    });
  }
  // Kill every plugin backend three times, each after a stretch of normal load.
  std::vector<std::pair<Clock::time_point, Clock::time_point>> kills;  // [issued, done]
  std::vector<int> killed;
  for (int k = 0; k < kKills; ++k) {
    const int before = decided.load();
    const auto waiting = Clock::now();
    while (decided.load() - before < 400 && Clock::now() - waiting < 20s) {
      std::this_thread::sleep_for(5ms);
    }
    const auto issued = Clock::now();
    killed.push_back(terminatePluginBackends());
    kills.emplace_back(issued, Clock::now());
  }
  {  // and a last stretch of load after the last kill
    const int before = decided.load();
    const auto waiting = Clock::now();
    while (decided.load() - before < 400 && Clock::now() - waiting < 20s) {
      std::this_thread::sleep_for(5ms);
    }
  }
  stop = true;
  for (auto& thread : threads) thread.join();

  // Which failures are allowed: only decisions that were in flight while a kill was issued.
  auto inFlightDuringAKill = [&](const Decided& d) {
    for (const auto& [issued, done] : kills) {
      if (d.started <= done && d.finished >= issued) return true;
    }
    return false;
  };
  std::vector<Decided> failed;
  std::vector<Ack> acks;
  std::map<std::string, int> late_failures;  // reason + detail of failures that started after a kill
  int failed_in_flight = 0;
  std::size_t total = 0;
  for (auto& decisions : per_thread) {
    for (auto& d : decisions) {
      ++total;
      if (d.verdict.decision != api::Decision::block) {
        acks.push_back({d.batch.tenant_id, d.batch.batch_id, d.verdict.charged_micros,
                        d.verdict.replayed});
        continue;
      }
      EXPECT_TRUE(d.verdict.reason == api::Reason::ledger_unavailable ||
                  d.verdict.reason == api::Reason::ledger_timeout)
          << d.batch.batch_id << ": " << api::reasonCode(d.verdict.reason) << " "
          << d.verdict.detail;
      if (inFlightDuringAKill(d)) {
        ++failed_in_flight;
      } else {
        late_failures[std::string(api::reasonCode(d.verdict.reason)) + ": " + d.verdict.detail] += 1;
      }
      failed.push_back(std::move(d));
    }
  }
  for (int n : killed) EXPECT_GE(n, 1) << "no plugin backend was there to kill";
  // Each thread has at most one decision in flight at a time.
  EXPECT_LE(failed_in_flight, kThreads * kKills);
  for (const auto& [what, n] : late_failures) {
    ADD_FAILURE() << n << " decisions that started after a kill had completed failed: " << what;
  }

  // Retry the failed ones with the same id and content: they converge, and the money is exact.
  const auto retry_deadline = Clock::now() + 40s;
  for (auto& d : failed) {
    api::Verdict v = gate_->decide(d.batch.view());
    while ((v.reason == api::Reason::ledger_unavailable || v.reason == api::Reason::ledger_timeout) &&
           Clock::now() < retry_deadline) {
      std::this_thread::sleep_for(50ms);
      v = gate_->decide(d.batch.view());
    }
    ASSERT_NE(v.decision, api::Decision::block)
        << d.batch.batch_id << " retried: " << api::reasonCode(v.reason) << " " << v.detail;
    acks.push_back({d.batch.tenant_id, d.batch.batch_id, v.charged_micros, v.replayed});
  }
  const AuditTotals totals = auditLedger(db_.connection(), acks, /*every_debit_acknowledged=*/true);
  EXPECT_EQ(totals.debits, totals.acknowledged_batches);
  for (int i = 0; i < kTenants; ++i) {
    const std::string tenant = "k" + std::to_string(i);
    EXPECT_EQ(kInitialCredit - db_.balance(tenant), totals.charged_per_tenant.at(tenant)) << tenant;
  }
  std::string killed_text;
  for (int n : killed) killed_text += std::to_string(n) + " ";
  std::printf("[ killed   ] %zu decisions, backends killed per round: %s; failed in flight: %d, "
              "failed after a kill had completed: %zu\n",
              total, killed_text.c_str(), failed_in_flight,
              failed.size() - static_cast<std::size_t>(failed_in_flight));
}

}  // namespace
}  // namespace creditgate::testing
