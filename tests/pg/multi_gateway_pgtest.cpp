// Several gateway processes at once on one ledger (3 processes x 8 threads, one hot tenant among
// 20, a tenth of the batches retried, top-ups arriving meanwhile): the money invariants hold exactly
// (DESIGN.md "Money and its invariants"). The gateways are tests/support/load_gateway.cpp.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gate_fixture.hpp"
#include "load_children.hpp"
#include "money_audit.hpp"

namespace creditgate::testing {
namespace {

constexpr int kProcesses = 3;
constexpr int kThreads = 8;
constexpr int kBatchesPerThread = 600;  // per thread of each process; about 2 recipients each
constexpr int kTenants = 20;
constexpr int kTopups = 20;
constexpr std::int64_t kTopupMicros = 5'000'000;
constexpr std::int64_t kFlagLimitMicros = 3'000'000;  // "overdraft_limit": "3" (EUR)

std::string tenantName(int index) {
  return std::string("t") + (index < 10 ? "0" : "") + std::to_string(index);
}

class MultiGatewayTest : public GateTest {};

TEST_F(MultiGatewayTest, ThreeProcessesOfEightThreadsWithRetriesAndTopUpsKeepTheMoneyInvariantsExact) {
  // t00 (hot, block): half of all batches, credit for about a third of them (plus top-ups): it runs out part-way.
  // t01, t02 (flag, limit 3 EUR): run into their overdraft and up to its limit.
  // t03..t05 (block): run out. t06..t19 (block): plenty.
  std::map<std::string, std::int64_t> initial, floor_of, topped_up;
  for (int i = 0; i < kTenants; ++i) {
    const std::string id = tenantName(i);
    initial[id] = i == 0 ? 700'000'000 : i <= 5 ? 10'000'000 : 400'000'000;
    floor_of[id] = i == 1 || i == 2 ? -kFlagLimitMicros : 0;
    db_.addTenant(id, "EUR", initial[id]);
  }
  const std::string config = writeTempFile(
      "creditgate.json",
      pluginConfigJson(db_.pluginDsn(),
                       R"({"on_insufficient_credit": "block", "tenants": {)"
                       R"("t01": {"on_insufficient_credit": "flag", "overdraft_limit": "3"},)"
                       R"("t02": {"on_insufficient_credit": "flag", "overdraft_limit": "3"}}})",
                       1000, R"("notifications": {"relay": {"enabled": false}})"))
                                 .string();

  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> commands;
  for (int p = 0; p < kProcesses; ++p) {
    // Bounded: a gateway that hangs is killed after 120 s, and its pipe then ends.
    commands.push_back("exec timeout -s KILL 120 " + std::string(LOAD_GATEWAY_PATH) + " " + config +
                       " " + std::to_string(p) + " " + std::to_string(kThreads) + " " +
                       std::to_string(kBatchesPerThread) + " " + std::to_string(4242 + p));
  }
  LoadChildren load(commands);
  ASSERT_TRUE(load.started());

  // Top-ups as an admin would make them, spread over the run: the k-th once k/(kTopups+2) of the
  // batches were decided (or the gateways are gone).
  const int expected = kProcesses * kThreads * kBatchesPerThread;
  std::mt19937 rng(20250701);
  int topups_during_load = 0;
  for (int k = 0; k < kTopups; ++k) {
    const int threshold = (k + 1) * expected / (kTopups + 2);
    for (int waited = 0; load.acked() < threshold && waited < 12000; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string id = tenantName(k < 4 ? 0 : static_cast<int>(rng() % kTenants));
    if (load.acked() < expected) ++topups_during_load;
    db_.topup(id, kTopupMicros, "load-topup-" + std::to_string(k) + "-" + id);
    topped_up[id] += kTopupMicros;
  }
  load.wait();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[ load     ] %d processes x %d threads: %d verdicts in %.1f s\n", kProcesses,
              kThreads, load.acked(), seconds);

  // Every gateway finished on its own (not killed by the timeout) and said so.
  std::vector<Ack> acks;
  int replays = 0, hot_allowed = 0, hot_blocked = 0, flagged = 0, decided = 0;
  for (int p = 0; p < kProcesses; ++p) {
    const LoadChild& child = load.children()[p];
    EXPECT_EQ(child.status, 0) << "gateway " << p << " exit status " << child.status;
    ASSERT_FALSE(child.lines.empty()) << "gateway " << p << " printed nothing";
    EXPECT_EQ(child.lines.back(), "done " + std::to_string(p) + "\n");
    for (const std::string& line : child.lines) {
      EXPECT_NE(line.rfind("error ", 0), 0u) << "gateway " << p << ": " << line;
      if (line.rfind("ack ", 0) != 0) continue;
      const std::optional<AckLine> ack = parseAckLine(line);
      ASSERT_TRUE(ack) << line;
      const std::string& tenant = ack->tenant;
      const std::string& decision = ack->decision;
      const std::int64_t charged = ack->charged_micros;
      const int replayed = ack->replayed ? 1 : 0;
      ++decided;
      if (decision == "block") {
        EXPECT_EQ(charged, 0) << line;
        hot_blocked += tenant == "t00";
        continue;
      }
      EXPECT_TRUE(decision == "allow" || decision == "allow_flagged" || decision == "allow_partial")
          << line;
      EXPECT_GT(charged, 0) << line;
      replays += replayed;
      hot_allowed += tenant == "t00" && !replayed;
      flagged += decision == "allow_flagged" && !replayed;
      acks.push_back({tenant, ack->batch_id, charged, ack->replayed});
    }
  }
  std::printf("[ load     ] t00 allowed %d, blocked %d; allow_flagged %d; replays %d; %d top-ups "
              "during the load\n", hot_allowed, hot_blocked, flagged, replays, topups_during_load);
  // Every batch once, every 10th twice.
  EXPECT_EQ(decided, expected + expected / 10);

  // The ledger against what the gateways were told: every acknowledged first-time allow has exactly
  // one debit of exactly its charge, a replay reports the original's charge, no (tenant, batch id)
  // has two debits, no debit exists that nobody acknowledged (no verdict left its outcome unknown),
  // Σ ledger == balance per tenant and no debit went below its floor.
  AuditTotals totals = auditLedger(db_.connection(), acks, /*every_debit_acknowledged=*/true);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM (SELECT 1 FROM creditgate.ledger_entry WHERE kind = "
                         "'debit' GROUP BY tenant_id, batch_id HAVING count(*) > 1) d"),
            0);
  for (int i = 0; i < kTenants; ++i) {
    const std::string id = tenantName(i);
    const std::int64_t balance = db_.balance(id);
    EXPECT_EQ(db_.ledgerSum(id), balance) << id;
    EXPECT_GE(balance, floor_of[id]) << id;
    // What the gateways were told they were charged is exactly what left the balance.
    EXPECT_EQ(initial[id] + topped_up[id] - balance, totals.charged_per_tenant[id]) << id;
    pqxx::nontransaction txn(db_.connection());
    const auto lowest = txn.exec_params1(
        "SELECT coalesce(min(balance_after_micros), 0)::bigint FROM creditgate.ledger_entry "
        "WHERE tenant_id = $1",
        id)[0].as<std::int64_t>();
    EXPECT_GE(lowest, floor_of[id]) << id;
  }

  // The load did what it claims: the hot tenant ran out part-way, the flag tenants went into their
  // overdraft, retries were replayed and the top-ups landed while gateways were deciding.
  EXPECT_GT(hot_allowed, 0);
  EXPECT_GT(hot_blocked, 0);
  EXPECT_GT(flagged, 0);
  EXPECT_GT(replays, 0);
  EXPECT_GE(topups_during_load, kTopups / 2);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'topup' AND "
                         "reference LIKE 'load-topup-%'"),
            kTopups);
  EXPECT_LT(seconds, 60.0);
}

}  // namespace
}  // namespace creditgate::testing
