// Failover under load (issue 16): three gateway processes (tests/support/failover_gateway.cpp, four
// threads each) decide batches through a multi-host DSN on a pg_auto_failover cluster
// (tests/ha/run.sh) while the cluster goes through `pg_autoctl perform failover`, and then a
// SIGKILL of the new primary's postmaster. Every verdict whose outcome is unknown is retried with
// the same batch id until it is definite, as the verdict tells a gateway to do. Afterwards: no
// acknowledged debit is missing, none is doubled, no debit is unacknowledged, Σ ledger == balance
// for every tenant; decisions resumed after each event; and an admin's top-up through creditctl on
// the same multi-host DSN lands on the new primary. The time from each event to the first
// successful decision after it is printed (recorded in docs/RELIABILITY.md): measured, not
// asserted.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "creditctl_runner.hpp"
#include "fake_host.hpp"
#include "load_children.hpp"
#include "money_audit.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kProcesses = 3;
constexpr int kThreads = 4;
constexpr int kTenants = 10;
constexpr std::int64_t kInitialCredit = 1'000'000'000'000;
constexpr int kAcksBetweenEvents = 300;  // decisions made after an event before the next one

long long nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One command to tests/ha/run.sh, which acts on the cluster; its answer ("ok <port>" or "error
// ...").
std::string control(const std::string& command) {
  const char* dir = std::getenv("CREDITGATE_TEST_HA_CONTROL");
  if (dir == nullptr)
    return "error CREDITGATE_TEST_HA_CONTROL is not set: run through tests/ha/run.sh";
  {
    std::ofstream in(std::string(dir) + "/in");
    in << command << "\n";
  }
  std::ifstream out(std::string(dir) + "/out");
  std::string answer;
  std::getline(out, answer);
  return answer;
}

struct Event {
  std::string name;
  std::string primary_before, primary_after;  // ports, as the monitor has them
  long long at_ms = 0;                        // just before the command was given
  long long end_ms = 0;                       // when the next event started (or the load stopped)
};

struct Line {
  long long ms = 0;
  bool ack = false;    // else: an attempt whose outcome was unknown
  std::string reason;  // of an unknown outcome: ledger_unavailable, ledger_in_doubt, ...
  std::string detail;  // of an unknown outcome: what the verdict said
};

// An "ack <5 fields> <ms>" or "unknown <tenant> <batch> <reason> <ms> <detail>" line.
Line readLine(const std::string& text, bool ack) {
  std::istringstream in(text);
  std::string word;
  Line line;
  line.ack = ack;
  for (int i = 0; i < (ack ? 6 : 3); ++i) in >> word;
  if (!ack) in >> line.reason;
  in >> line.ms;
  if (!ack) std::getline(in >> std::ws, line.detail);
  return line;
}

// CREDITGATE_HA_CONNECT_TIMEOUT_S=N sets the gateways' database.connect_timeout_s (libpq's, per
// host of the DSN), to measure how it bounds the recovery; unset, the plugin's default applies.
std::string withConnectTimeout(std::string config_json) {
  const char* seconds = std::getenv("CREDITGATE_HA_CONNECT_TIMEOUT_S");
  if (seconds == nullptr || *seconds == '\0') return config_json;
  const auto at = config_json.find("\"pool_size\"");
  if (at != std::string::npos) {
    config_json.insert(at, std::string("\"connect_timeout_s\": ") + seconds + ", ");
  }
  return config_json;
}

class FailoverTest : public ::testing::Test {
 protected:
  TestDatabase db_;  // on the cluster: CREDITGATE_TEST_PG is its multi-host DSN
};

TEST_F(FailoverTest, ThreeGatewaysLoseNoMoneyThroughAFailoverAndAKilledPostmaster) {
  ASSERT_EQ(control("primary").rfind("ok ", 0), 0u);
  db_.seedRates();
  for (int i = 0; i < kTenants; ++i) db_.addTenant("f" + std::to_string(i), "EUR", kInitialCredit);
  const std::string config =
      writeTempFile("creditgate.json",
                    withConnectTimeout(pluginConfigJson(
                        db_.pluginDsn(), R"({"on_insufficient_credit": "block"})", 1000,
                        R"("notifications": {"relay": {"enabled": false}})")))
          .string();
  const std::string stop_file = config + ".stop";
  std::filesystem::remove(stop_file);

  std::vector<std::string> commands;
  for (int p = 0; p < kProcesses; ++p) {
    // Bounded: a gateway that hangs is killed after 400 s, and its pipe then ends.
    commands.push_back("exec timeout -s KILL 400 " + std::string(FAILOVER_GATEWAY_PATH) + " " +
                       config + " " + std::to_string(p) + " " + std::to_string(kThreads) + " " +
                       std::to_string(7100 + p) + " " + stop_file);
  }
  LoadChildren load(commands);
  ASSERT_TRUE(load.started());
  // Until `count` more decisions were acknowledged than at `from` (at most 120 s); whether they
  // were.
  auto awaitAcks = [&load](int from, int count) {
    for (int waited = 0; waited < 12000; ++waited) {
      if (load.acked() >= from + count) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  EXPECT_TRUE(awaitAcks(0, kAcksBetweenEvents)) << "no load before the first event";

  std::vector<Event> events;
  for (const char* command : {"failover", "kill-primary"}) {
    const std::string before = control("primary");
    events.push_back({command, before.substr(before.find(' ') + 1), "", nowMs(), 0});
    const std::string answer = control(command);
    EXPECT_EQ(answer.rfind("ok ", 0), 0u) << command << ": " << answer;
    // Decisions go on after the event: this many made after the command returned.
    const int acked = load.acked();
    EXPECT_TRUE(awaitAcks(acked, kAcksBetweenEvents)) << "no decisions after " << command;
    const std::string healthy = control("wait-healthy");
    EXPECT_EQ(healthy.rfind("ok ", 0), 0u) << healthy;
    events.back().primary_after = healthy.substr(healthy.find(' ') + 1);
  }
  const int before_end = load.acked();
  EXPECT_TRUE(awaitAcks(before_end, kAcksBetweenEvents));
  { std::ofstream(stop_file.c_str()) << "stop\n"; }
  load.wait();
  for (std::size_t i = 0; i < events.size(); ++i) {
    events[i].end_ms = i + 1 < events.size() ? events[i + 1].at_ms : nowMs();
  }

  // What the gateways were told, in time order.
  std::vector<Ack> acks;
  std::vector<Line> lines;
  int unknown = 0, in_doubt = 0;
  for (int p = 0; p < kProcesses; ++p) {
    const LoadChild& child = load.children()[p];
    EXPECT_EQ(child.status, 0) << "gateway " << p << " exit status " << child.status;
    ASSERT_FALSE(child.lines.empty()) << "gateway " << p << " printed nothing";
    EXPECT_EQ(child.lines.back(), "done " + std::to_string(p) + "\n");
    for (const std::string& text : child.lines) {
      if (text.rfind("unknown ", 0) == 0) {
        ++unknown;
        in_doubt += text.find(" ledger_in_doubt ") != std::string::npos;
        lines.push_back(readLine(text, false));
        continue;
      }
      const std::optional<AckLine> ack = parseAckLine(text);
      if (!ack) continue;
      // Ample credit: every definite verdict allows.
      EXPECT_EQ(ack->decision, "allow") << text;
      lines.push_back(readLine(text, true));
      if (ack->decision != "block") {
        acks.push_back({ack->tenant, ack->batch_id, ack->charged_micros, ack->replayed});
      }
    }
  }
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.ms < b.ms; });

  // Per event: the first attempt that failed after it, the first success after the last failure,
  // and the longest stretch with no successful decision at all (all gateways together).
  for (const Event& event : events) {
    long long first_failure = -1, last_failure = -1, recovered = -1, longest_gap = 0;
    long long previous_success = event.at_ms;
    int failures = 0;
    std::map<std::string, int> reasons;               // what the gateways were told, by reason code
    std::map<std::string, std::string> first_detail;  // reason -> the first such verdict's detail
    for (const Line& line : lines) {
      if (line.ms < event.at_ms || line.ms >= event.end_ms) continue;
      if (!line.ack) {
        ++failures;
        if (++reasons[line.reason] == 1) first_detail[line.reason] = line.detail;
        if (first_failure < 0) first_failure = line.ms;
        last_failure = line.ms;
        recovered = -1;
        continue;
      }
      longest_gap = std::max(longest_gap, line.ms - previous_success);
      previous_success = line.ms;
      if (last_failure >= 0 && recovered < 0) recovered = line.ms;
    }
    std::printf("[ %-8s ] %s: primary on port %s before, on port %s after\n", "failover",
                event.name.c_str(), event.primary_before.c_str(), event.primary_after.c_str());
    if (failures == 0) {
      std::printf("[ %-8s ] %s: no decision failed; longest gap between decisions %lld ms\n",
                  "failover", event.name.c_str(), longest_gap);
      continue;
    }
    EXPECT_GE(recovered, 0) << event.name << ": no successful decision after the last failure";
    std::printf(
        "[ %-8s ] %s: %d attempts answered without an outcome, the first %lld ms after the "
        "command; first successful decision after the last of them %lld ms after the command; "
        "longest gap between successful decisions %lld ms; by reason:",
        "failover", event.name.c_str(), failures, first_failure - event.at_ms,
        recovered - event.at_ms, longest_gap);
    for (const auto& [reason, count] : reasons) std::printf(" %s %d", reason.c_str(), count);
    std::printf("\n");
    for (const auto& [reason, detail] : first_detail) {
      std::printf("[ %-8s ]   first %s: %s\n", "failover", reason.c_str(), detail.c_str());
    }
  }
  std::printf("[ failover ] %zu decisions allowed, %d attempts retried (in doubt: %d)\n",
              acks.size(), unknown, in_doubt);
  EXPECT_GT(unknown, 0) << "the events did not disturb the load: the test proves nothing";

  // An admin's top-up through the same multi-host DSN lands on the new primary.
  const CtlResult topup =
      runCreditctl({"topup", "f0", "1.00", "--ref", "after-failover"}, db_.adminDsn());
  EXPECT_EQ(topup.exit_code, 0) << topup.err;
  const std::int64_t topped_up = 1'000'000;

  // The money: every acknowledged debit exactly once, nothing unacknowledged, Σ ledger == balance.
  db_.reconnect();
  AuditTotals totals = auditLedger(db_.connection(), acks, /*every_debit_acknowledged=*/true);
  EXPECT_EQ(totals.acknowledged_batches, totals.debits);
  for (int i = 0; i < kTenants; ++i) {
    const std::string id = "f" + std::to_string(i);
    EXPECT_EQ(db_.ledgerSum(id), db_.balance(id)) << id;
    EXPECT_EQ(kInitialCredit + (i == 0 ? topped_up : 0) - db_.balance(id),
              totals.charged_per_tenant[id])
        << id;
  }
}

}  // namespace
}  // namespace creditgate::testing
