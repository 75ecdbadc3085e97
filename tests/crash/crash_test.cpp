// Crash recovery: PostgreSQL is killed (pg_ctl stop -m immediate) ten times while eight gateway
// threads decide through the plugin's core, and restarted each time. Afterwards no debit the plugin
// acknowledged is missing, none is doubled, Σ ledger == balance for every tenant, and every batch
// that got ledger_unavailable / ledger_timeout converges when retried with the same id and content.
//
// Its own cluster (tests/support/throwaway_cluster.hpp), durable (fsync on), so a crash is real; it
// needs no CREDITGATE_TEST_PG, only the PostgreSQL 15 binaries.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "gate_fixture.hpp"
#include "money_audit.hpp"
#include "throwaway_cluster.hpp"

namespace creditgate::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kThreads = 8;
constexpr int kTenants = 8;
constexpr int kCrashes = 10;
constexpr std::int64_t kInitialCredit = 1'000'000'000'000;  // 1,000,000 EUR: never runs out
// After each restart, the load must produce this many new acknowledged debits before the next crash:
// every crash hits a gate that is really deciding.
constexpr int kAcksBetweenCrashes = 150;
// Per restart: the gate must be deciding again within this (the circuit breaker backs off up to
// 30 s; see the report printed at the end for how long each recovery took).
constexpr auto kRecoveryBound = 35s;

std::string tenantName(int i) { return "crash-t" + std::to_string(i); }

// The ledger did not answer: nothing debited (unavailable, timeout), or unknown (in doubt). A host
// retries all three with the same batch id.
bool isLedgerFailure(api::Reason reason) {
  return reason == api::Reason::ledger_unavailable || reason == api::Reason::ledger_timeout ||
         reason == api::Reason::ledger_in_doubt;
}

struct Sent {
  OwnedBatch batch;
  api::Verdict verdict;
};

// What one gateway thread saw.
struct ThreadLog {
  std::vector<Sent> acknowledged;  // decision != block: the gateway sends these
  std::vector<Sent> ledger_failed; // ledger_unavailable / ledger_timeout: to retry
  std::vector<Sent> other_blocks;  // anything else: not expected here
};

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ThrowawayCluster::binariesAvailable()) {
      GTEST_SKIP() << "PostgreSQL 15 binaries not installed";
    }
    cluster_ = std::make_unique<ThrowawayCluster>();
    // TestDatabase takes its server from CREDITGATE_TEST_PG: point it at this cluster.
    ::setenv("CREDITGATE_TEST_PG", cluster_->superuserDsn().c_str(), 1);
    db_ = std::make_unique<TestDatabase>();
    db_->seedRates();
    for (int i = 0; i < kTenants; ++i) db_->addTenant(tenantName(i), "EUR", kInitialCredit);
    // Short deadlines: a crash shows up as ledger errors quickly rather than as long waits.
    const std::string config =
        "{\n"
        "  \"database\": {\"dsn\": \"" + db_->pluginDsn() + "\", \"pool_size\": 8,"
        " \"statement_timeout_ms\": 2000, \"connect_timeout_s\": 2, \"rates_refresh_ms\": 200},\n"
        "  \"policy\": {\"on_insufficient_credit\": \"block\"},\n"
        "  \"metrics\": {\"listen\": \"\"}\n"
        "}\n";
    config_path_ = writeTempFile("creditgate.json", config).string();
    std::string error;
    gate_ = createGate(config_path_, host_, error);
    ASSERT_TRUE(gate_) << error;
    // Warm up: the rate snapshot is loaded and every tenant's currency is known.
    for (int i = 0; i < kTenants; ++i) {
      OwnedBatch warm = batch(tenantName(i), "warmup-" + std::to_string(i), germanNumbers(1));
      api::Verdict v = gate_->decide(warm.view());
      for (int tries = 0; v.reason == api::Reason::rate_not_found && tries < 100; ++tries) {
        std::this_thread::sleep_for(50ms);
        v = gate_->decide(warm.view());
      }
      ASSERT_EQ(v.decision, api::Decision::allow) << api::reasonCode(v.reason) << " " << v.detail;
      warmup_.push_back({warm, v});
    }
  }

  void TearDown() override {
    gate_.reset();
    db_.reset();
    cluster_.reset();
  }

  // A fresh superuser connection (the fixture's own one did not survive the crashes).
  std::unique_ptr<pqxx::connection> inspect() {
    return std::make_unique<pqxx::connection>(db_->superuserDsn());
  }

  std::unique_ptr<ThrowawayCluster> cluster_;
  std::unique_ptr<TestDatabase> db_;
  FakeHost host_;
  std::string config_path_;
  std::unique_ptr<api::CreditGate> gate_;
  std::vector<Sent> warmup_;
};

TEST_F(CrashTest, TenImmediateStopsUnderLoadLoseNoAcknowledgedDebitAndDoubleNone) {
  const auto test_started = Clock::now();
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> ack_count{0};
  std::vector<ThreadLog> logs(kThreads);

  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937 random(1000 + t);
      ThreadLog& log = logs[t];
      for (int i = 0; !stop.load(); ++i) {
        // Half the batches go to one hot tenant, the rest spread: row contention and group commit.
        const int tenant = random() % 2 == 0 ? 0 : static_cast<int>(random() % kTenants);
        const int recipients = 1 + static_cast<int>(random() % 3);
        OwnedBatch b = batch(tenantName(tenant), "w" + std::to_string(t) + "-" + std::to_string(i),
                             germanNumbers(recipients, t * 1'000'000 + i * 3));
        const api::Verdict v = gate_->decide(b.view());
        if (v.decision != api::Decision::block) {
          log.acknowledged.push_back({std::move(b), v});
          ack_count.fetch_add(1);
        } else if (isLedgerFailure(v.reason)) {
          log.ledger_failed.push_back({std::move(b), v});
          std::this_thread::sleep_for(100ms);  // a gateway backs off a little; no hot spinning
        } else {
          log.other_blocks.push_back({std::move(b), v});
          std::this_thread::sleep_for(100ms);
        }
      }
    });
  }

  // The controller: wait until the gate is deciding, crash, restart; ten times.
  std::mt19937 random(42);
  std::vector<double> recovery_seconds;
  std::string controller_error;
  for (int crash = 0; crash <= kCrashes && controller_error.empty(); ++crash) {
    const auto restarted = Clock::now();
    const std::int64_t acks_before = ack_count.load();
    bool first_ack_seen = false;
    while (ack_count.load() - acks_before < kAcksBetweenCrashes) {
      if (!first_ack_seen && ack_count.load() > acks_before) {
        first_ack_seen = true;
        recovery_seconds.push_back(std::chrono::duration<double>(Clock::now() - restarted).count());
      }
      if (Clock::now() - restarted > kRecoveryBound) {
        controller_error = "after restart " + std::to_string(crash) + " the gate made only " +
                           std::to_string(ack_count.load() - acks_before) + " decisions in " +
                           std::to_string(kRecoveryBound.count()) + " s";
        break;
      }
      std::this_thread::sleep_for(5ms);
    }
    if (crash == kCrashes || !controller_error.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 300));  // crash at a random moment
    try {
      cluster_->crash();
      std::this_thread::sleep_for(std::chrono::milliseconds(100 + random() % 300));  // down a while
      cluster_->start();
    } catch (const std::exception& e) {
      controller_error = e.what();
    }
  }
  stop = true;
  for (auto& worker : workers) worker.join();
  const double load_seconds = std::chrono::duration<double>(Clock::now() - test_started).count();
  ASSERT_TRUE(controller_error.empty()) << controller_error << "\n" << cluster_->logTail();

  // Everything the gateway saw.
  std::vector<Sent> acknowledged = warmup_;
  std::vector<Sent> ledger_failed;
  std::vector<Sent> other_blocks;
  for (auto& log : logs) {
    acknowledged.insert(acknowledged.end(), log.acknowledged.begin(), log.acknowledged.end());
    ledger_failed.insert(ledger_failed.end(), log.ledger_failed.begin(), log.ledger_failed.end());
    other_blocks.insert(other_blocks.end(), log.other_blocks.begin(), log.other_blocks.end());
  }
  std::map<std::string, int> other_reasons;
  for (const auto& s : other_blocks) other_reasons[api::reasonCode(s.verdict.reason)] += 1;
  for (const auto& [reason, n] : other_reasons) {
    ADD_FAILURE() << n << " batches blocked with " << reason << " during the crashes (only "
                  << "ledger_unavailable / ledger_timeout / ledger_in_doubt are expected), e.g. "
                  << [&] {
                       for (const auto& s : other_blocks) {
                         if (api::reasonCode(s.verdict.reason) == reason) {
                           return s.batch.batch_id + ": " + s.verdict.detail;
                         }
                       }
                       return std::string();
                     }();
  }
  // Those are retried too: their outcome is as unknown as a ledger failure's.
  ledger_failed.insert(ledger_failed.end(), other_blocks.begin(), other_blocks.end());

  // Every acknowledged verdict charged exactly the batch's price, first time (no replay).
  for (const auto& s : acknowledged) {
    EXPECT_EQ(s.verdict.charged_micros,
              static_cast<std::int64_t>(s.batch.recipients.size()) * kEurGermanyMarketing)
        << s.batch.batch_id;
    EXPECT_FALSE(s.verdict.replayed) << s.batch.batch_id;
  }

  // Retry every failed batch with the same id and content until the ledger answers (bounded).
  const auto retry_started = Clock::now();
  std::vector<Sent> converged(ledger_failed.size());
  std::atomic<std::size_t> next{0};
  std::atomic<int> retry_rounds{0};
  std::atomic<bool> gave_up{false};
  std::vector<std::thread> retriers;
  for (int t = 0; t < kThreads; ++t) {
    retriers.emplace_back([&] {
      for (std::size_t k; (k = next.fetch_add(1)) < ledger_failed.size();) {
        Sent& s = converged[k];
        s.batch = ledger_failed[k].batch;
        for (;;) {
          s.verdict = gate_->decide(s.batch.view());
          retry_rounds.fetch_add(1);
          if (!isLedgerFailure(s.verdict.reason)) break;
          if (Clock::now() - retry_started > 40s) {
            gave_up = true;
            break;
          }
          std::this_thread::sleep_for(50ms);
        }
      }
    });
  }
  for (auto& retrier : retriers) retrier.join();
  const double retry_seconds = std::chrono::duration<double>(Clock::now() - retry_started).count();
  ASSERT_FALSE(gave_up) << "retries did not converge within 40 s";

  int replayed_on_retry = 0;
  for (std::size_t k = 0; k < converged.size(); ++k) {
    const Sent& s = converged[k];
    ASSERT_NE(s.verdict.decision, api::Decision::block)
        << s.batch.batch_id << " retried: " << api::reasonCode(s.verdict.reason) << " "
        << s.verdict.detail;
    EXPECT_EQ(s.verdict.charged_micros,
              static_cast<std::int64_t>(s.batch.recipients.size()) * kEurGermanyMarketing)
        << s.batch.batch_id;
    replayed_on_retry += s.verdict.replayed;
    // The ledger had kept it: the gateway must have been told "in doubt", never a plain block
    // (unavailable or timeout promise that nothing was debited).
    if (s.verdict.replayed) {
      EXPECT_EQ(ledger_failed[k].verdict.reason, api::Reason::ledger_in_doubt)
          << s.batch.batch_id << " was debited although the gateway was told "
          << api::reasonCode(ledger_failed[k].verdict.reason) << ": "
          << ledger_failed[k].verdict.detail;
    }
  }

  // A sample of acknowledged batches sent again: the original verdict, no money moved.
  std::vector<Sent> resent_verdicts;
  for (std::size_t k = 0; k < acknowledged.size(); k += 13) {
    OwnedBatch again = acknowledged[k].batch;
    const api::Verdict v = gate_->decide(again.view());
    resent_verdicts.push_back({again, v});
    EXPECT_TRUE(v.replayed) << again.batch_id << ": " << api::reasonCode(v.reason) << " "
                            << v.detail;
    EXPECT_EQ(v.charged_micros, acknowledged[k].verdict.charged_micros) << again.batch_id;
  }
  const std::size_t resent = resent_verdicts.size();

  // The ledger, after the last restart, against everything the gateway was told.
  std::vector<Ack> acks;
  for (const auto* list : {&acknowledged, &converged, &resent_verdicts}) {
    for (const auto& s : *list) {
      acks.push_back({s.batch.tenant_id, s.batch.batch_id, s.verdict.charged_micros,
                      s.verdict.replayed});
    }
  }
  auto connection = inspect();
  const AuditTotals totals = auditLedger(*connection, acks, /*every_debit_acknowledged=*/true);
  EXPECT_EQ(totals.debits, totals.acknowledged_batches);
  pqxx::nontransaction txn(*connection);
  for (int i = 0; i < kTenants; ++i) {
    const std::string tenant = tenantName(i);
    const auto balance = txn.exec_params1(
        "SELECT balance_micros FROM creditgate.tenant WHERE tenant_id = $1", tenant)[0]
                             .as<std::int64_t>();
    EXPECT_EQ(kInitialCredit - balance, totals.charged_per_tenant.at(tenant))
        << tenant << ": the balance moved by something other than the acknowledged debits";
  }

  std::size_t errors_logged = 0;
  std::map<std::string, int> log_kinds;  // what the plugin logged, by the start of the message
  for (const auto& line : host_.logs()) {
    errors_logged += line.rfind("3 ", 0) == 0;
    log_kinds[line.substr(0, 90)] += 1;
  }
  for (const auto& [kind, n] : log_kinds) std::printf("[ crash    ] %6d x %s\n", n, kind.c_str());
  std::string recoveries;
  for (double s : recovery_seconds) recoveries += std::to_string(s).substr(0, 4) + " ";
  std::printf(
      "[ crash    ] %d crashes in %.1f s of load: %zu acknowledged, %zu ledger failures "
      "(%d replayed on retry: committed while the gateway was told in doubt), %zu other "
      "blocks; retries converged in %.1f s (%d calls); %zu acknowledged resent and replayed; "
      "first decision after each restart (s): %s; %zu error log lines\n",
      kCrashes, load_seconds, acknowledged.size(), ledger_failed.size() - other_blocks.size(),
      replayed_on_retry, other_blocks.size(), retry_seconds, retry_rounds.load(), resent,
      recoveries.c_str(), errors_logged);
}

}  // namespace
}  // namespace creditgate::testing
