// The multi-process money audit over HTTP: three client processes of eight threads each decide
// through one creditgate-server, retrying every unanswered request with the same id and dropping
// one connection in 20 right after sending (so the answer of a recorded decision is lost), while
// admins top up. The invariants hold exactly (DESIGN.md "Money and its invariants"): every batch a
// client was told to send has exactly one debit of exactly what it was told, none is doubled, no
// debit went unacknowledged, and Σ ledger == balance for every tenant.
#include <cstdio>
#include <map>
#include <sstream>
#include <thread>

#include "load_children.hpp"
#include "money_audit.hpp"
#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

constexpr int kProcesses = 3;
constexpr int kThreads = 8;
constexpr int kBatchesPerThread = 250;
constexpr int kTenants = 20;
constexpr int kTopups = 10;
constexpr std::int64_t kTopupMicros = 5'000'000;

std::string tenantName(int index) {
  return std::string("t") + (index < 10 ? "0" : "") + std::to_string(index);
}

class HttpMoneyAuditTest : public ServerTest {};

TEST_F(HttpMoneyAuditTest, ClientsThatRetryAndDropConnectionsKeepTheMoneyInvariantsExact) {
  std::map<std::string, std::int64_t> initial, floor_of, topped_up;
  for (int i = 0; i < kTenants; ++i) {
    const std::string id = tenantName(i);
    initial[id] = i == 0 ? 300'000'000 : i <= 5 ? 10'000'000 : 400'000'000;
    floor_of[id] = i == 1 || i == 2 ? -3'000'000 : 0;
    db_.addTenant(id, "EUR", initial[id]);
  }
  startServer(R"({"on_insufficient_credit": "block", "tenants": {)"
              R"("t01": {"on_insufficient_credit": "flag", "overdraft_limit": "3"},)"
              R"("t02": {"on_insufficient_credit": "flag", "overdraft_limit": "3"}}})",
              "", 1000, R"("notifications": {"relay": {"enabled": false}})");

  std::vector<std::string> commands;
  for (int p = 0; p < kProcesses; ++p) {
    commands.push_back("exec timeout -s KILL 300 " + std::string(HTTP_LOAD_CLIENT_PATH) + " " +
                       std::to_string(server_->port()) + " " + gateway_key_ + " " +
                       std::to_string(p) + " " + std::to_string(kThreads) + " " +
                       std::to_string(kBatchesPerThread) + " " + std::to_string(77 + p) + " 20");
  }
  LoadChildren load(commands);
  ASSERT_TRUE(load.started());
  const int expected = kProcesses * kThreads * kBatchesPerThread;
  for (int k = 0; k < kTopups; ++k) {
    const int threshold = (k + 1) * expected / (kTopups + 2);
    for (int waited = 0; load.acked() < threshold && waited < 20000; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string id = tenantName(k < 4 ? 0 : 1 + k % 5);
    db_.topup(id, kTopupMicros, "http-topup-" + std::to_string(k));
    topped_up[id] += kTopupMicros;
  }
  load.wait();

  std::vector<Ack> acks;
  int decided = 0, replays = 0, blocked = 0, dropped = 0;
  for (int p = 0; p < kProcesses; ++p) {
    const LoadChild& child = load.children()[p];
    EXPECT_EQ(child.status, 0) << "client " << p;
    ASSERT_FALSE(child.lines.empty()) << "client " << p << " printed nothing";
    const std::string& last = child.lines.back();
    EXPECT_EQ(last.rfind("done " + std::to_string(p) + " ", 0), 0u) << last;
    int d = 0, r = 0;
    std::sscanf(last.c_str(), "done %*d dropped %d retried %d", &d, &r);
    dropped += d;
    for (const std::string& line : child.lines) {
      EXPECT_NE(line.rfind("error ", 0), 0u) << "client " << p << ": " << line;
      if (line.rfind("ack ", 0) != 0) continue;
      const std::optional<AckLine> ack = parseAckLine(line);
      ASSERT_TRUE(ack) << line;
      ++decided;
      if (ack->decision == "block") {
        EXPECT_EQ(ack->charged_micros, 0) << line;
        ++blocked;
        continue;
      }
      replays += ack->replayed;
      acks.push_back({ack->tenant, ack->batch_id, ack->charged_micros, ack->replayed});
    }
  }
  std::printf(
      "[ http     ] %d verdicts, %d blocked, %d replays, %d connections dropped mid-request\n",
      decided, blocked, replays, dropped);
  EXPECT_EQ(decided, expected + expected / 10);
  EXPECT_GT(dropped, 0);
  EXPECT_GT(blocked, 0);
  AuditTotals totals = auditLedger(db_.connection(), acks, /*every_debit_acknowledged=*/true);
  for (int i = 0; i < kTenants; ++i) {
    const std::string id = tenantName(i);
    const std::int64_t balance = db_.balance(id);
    EXPECT_EQ(db_.ledgerSum(id), balance) << id;
    EXPECT_GE(balance, floor_of[id]) << id;
    EXPECT_EQ(initial[id] + topped_up[id] - balance, totals.charged_per_tenant[id]) << id;
  }
}

}  // namespace
}  // namespace creditgate::testing
