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

struct Child {
  FILE* pipe = nullptr;
  std::vector<std::string> lines;
  int status = -1;
};

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

  std::vector<Child> children(kProcesses);
  std::atomic<int> acked{0};
  for (int p = 0; p < kProcesses; ++p) {
    const std::string command = "exec timeout -s KILL 300 " + std::string(HTTP_LOAD_CLIENT_PATH) +
                                " " + std::to_string(server_->port()) + " " + gateway_key_ + " " +
                                std::to_string(p) + " " + std::to_string(kThreads) + " " +
                                std::to_string(kBatchesPerThread) + " " + std::to_string(77 + p) +
                                " 20";
    children[p].pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(children[p].pipe, nullptr);
  }
  std::vector<std::thread> readers;
  for (auto& child : children) {
    readers.emplace_back([&child, &acked] {
      char line[512];
      while (std::fgets(line, sizeof line, child.pipe) != nullptr) {
        child.lines.emplace_back(line);
        if (child.lines.back().rfind("ack ", 0) == 0) acked.fetch_add(1);
      }
      child.status = ::pclose(child.pipe);
    });
  }
  const int expected = kProcesses * kThreads * kBatchesPerThread;
  for (int k = 0; k < kTopups; ++k) {
    const int threshold = (k + 1) * expected / (kTopups + 2);
    for (int waited = 0; acked.load() < threshold && waited < 20000; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string id = tenantName(k < 4 ? 0 : 1 + k % 5);
    db_.topup(id, kTopupMicros, "http-topup-" + std::to_string(k));
    topped_up[id] += kTopupMicros;
  }
  for (auto& reader : readers) reader.join();

  std::vector<Ack> acks;
  int decided = 0, replays = 0, blocked = 0, dropped = 0;
  for (int p = 0; p < kProcesses; ++p) {
    EXPECT_EQ(children[p].status, 0) << "client " << p;
    ASSERT_FALSE(children[p].lines.empty()) << "client " << p << " printed nothing";
    const std::string& last = children[p].lines.back();
    EXPECT_EQ(last.rfind("done " + std::to_string(p) + " ", 0), 0u) << last;
    int d = 0, r = 0;
    std::sscanf(last.c_str(), "done %*d dropped %d retried %d", &d, &r);
    dropped += d;
    for (const std::string& line : children[p].lines) {
      EXPECT_NE(line.rfind("error ", 0), 0u) << "client " << p << ": " << line;
      if (line.rfind("ack ", 0) != 0) continue;
      std::istringstream in(line.substr(4));
      std::string tenant, batch_id, decision;
      std::int64_t charged = -1;
      int replayed = -1;
      in >> tenant >> batch_id >> decision >> charged >> replayed;
      ASSERT_TRUE(in) << line;
      ++decided;
      if (decision == "block") {
        EXPECT_EQ(charged, 0) << line;
        ++blocked;
        continue;
      }
      replays += replayed;
      acks.push_back({tenant, batch_id, charged, replayed == 1});
    }
  }
  std::printf("[ http     ] %d verdicts, %d blocked, %d replays, %d connections dropped mid-request\n",
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
