// What SREs rely on: the live /metrics endpoint during real decisions, checked by promtool and
// against the names the shipped dashboard and alerts use; loopback by default.
#include "gate_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace creditgate::testing {
namespace {

// A plain HTTP/1.0 GET on loopback; the body of the answer.
std::string httpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, n);
    }
  }
  ::close(fd);
  const auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
    result.output.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The local address of the listening TCP socket on `port`, from /proc/net/tcp ("" if none).
std::string listeningAddress(int port) {
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  std::getline(tcp, line);
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, "%04X", port);
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local.substr(local.find(':') + 1) == wanted) {
      return local.substr(0, local.find(':'));
    }
  }
  return "";
}

class MetricsTest : public GateTest {};

TEST_F(MetricsTest, LiveEndpointPassesPromtoolAndHasEveryNameTheDashboardAndAlertsUse) {
  db_.addTenant("acme", "EUR", 1'000'000);
  db_.addTenant("bistro", "EUR", 0);
  startGate(kBlockPolicy, 1000,
            R"("metrics": {"listen": "127.0.0.1:0", "tenant_balances": {"enabled": true}},
               "notifications": {"low_balance_critical": "0.5"})");
  auto& gate = static_cast<CreditGatePlugin&>(*gate_);
  ASSERT_NE(gate.metricsPort(), 0);
  const auto recipients = germanNumbers(2);
  ASSERT_EQ(decide(batch("acme", "b-1", recipients)).decision, api::Decision::allow);
  decide(batch("bistro", "b-1", germanNumbers(1)));
  decide(batch("acme", "bad", {"+49abc"}));
  const std::vector<api::RecipientOutcome> failed = {{recipients[0], api::Delivery::failed}};
  gate_->report({"acme", "b-1", failed});

  const std::string scrape = httpGet(gate.metricsPort(), "/metrics");
  ASSERT_FALSE(scrape.empty());
  EXPECT_NE(scrape.find("creditgate_decisions_total{category=\"marketing\",decision=\"allow\","
                        "reason=\"ok\"} 1"),
            std::string::npos)
      << scrape;
  EXPECT_NE(scrape.find("reason=\"insufficient_credit\""), std::string::npos);
  EXPECT_NE(scrape.find("category=\"marketing\",decision=\"block\",reason=\"invalid_recipient\""),
            std::string::npos);
  EXPECT_NE(scrape.find("creditgate_money_micro_units_total{currency=\"EUR\",operation=\"refund\"} " +
                        std::to_string(kEurGermanyMarketing)),
            std::string::npos)
      << scrape;
  EXPECT_NE(scrape.find("creditgate_tenant_balance_micro_units{currency=\"EUR\",tenant=\"acme\"}"),
            std::string::npos);
  EXPECT_NE(gate_->metricsText().find("creditgate_decisions_total"), std::string::npos);

  const auto file = writeTempFile("scrape.txt", scrape);
  const CommandResult promtool = run("promtool check metrics < " + file.string());
  EXPECT_EQ(promtool.exit_code, 0) << promtool.output;
  const CommandResult names =
      run(sourceDir().string() + "/metrics/check names " + file.string());
  EXPECT_EQ(names.exit_code, 0) << names.output;
}

// rate() and increase() count an increment only from a sample before it: the series of the first
// partial decision and of the first top-up in a currency must be in the scrape at 0 before them.
TEST_F(MetricsTest, FreshGateShowsPartialDecisionsAndTopUpsAtZeroBeforeTheFirstOne) {
  db_.addTenant("acme", "EUR", kEurGermanyMarketing);  // covers 1 of 2 recipients
  startGate(R"({"on_insufficient_credit": "partial"})");
  const std::string fresh = gate_->metricsText();
  EXPECT_NE(
      fresh.find("creditgate_decisions_total{category=\"marketing\",decision=\"allow_partial\","
                 "reason=\"partial_credit\"} 0\n"),
      std::string::npos)
      << fresh;
  // The currencies of the rate cards in force (EUR and USD are seeded), before any money moved.
  for (const char* currency : {"EUR", "USD"}) {
    for (const char* operation : {"debit", "refund", "topup"}) {
      EXPECT_NE(fresh.find(std::string("creditgate_money_micro_units_total{currency=\"") +
                           currency + "\",operation=\"" + operation + "\"} 0\n"),
                std::string::npos)
          << currency << " " << operation << "\n"
          << fresh;
    }
  }

  ASSERT_EQ(decide(batch("acme", "b-1", germanNumbers(2))).decision, api::Decision::allow_partial);
  db_.topup("acme", 5'000'000, "INV-1");
  const std::string topped_up =
      "creditgate_money_micro_units_total{currency=\"EUR\",operation=\"topup\"} 5000000\n";
  std::string scrape;
  for (int i = 0; i < 100 && scrape.find(topped_up) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the watcher polls every 200 ms
    scrape = gate_->metricsText();
  }
  EXPECT_NE(scrape.find(topped_up), std::string::npos) << scrape;
  EXPECT_NE(
      scrape.find("creditgate_decisions_total{category=\"marketing\",decision=\"allow_partial\","
                  "reason=\"partial_credit\"} 1\n"),
      std::string::npos)
      << scrape;
}

// A gateway retries after a timeout: the retry is answered with the original verdict and counted
// as a replay, so the verdict and recipient counts (the dashboard's panels, the block-ratio alert)
// stay those of the batches decided.
TEST_F(MetricsTest, ARetriedBatchIsCountedAsAReplayNotASecondDecision) {
  db_.addTenant("acme", "EUR", 10 * kEurGermanyMarketing);
  startGate(kBlockPolicy);
  for (int i = 0; i < 3; ++i) {
    const api::Verdict v = decide(batch("acme", "b-1", germanNumbers(2)));
    ASSERT_EQ(v.decision, api::Decision::allow);
    EXPECT_EQ(v.replayed, i > 0);
  }
  const std::string scrape = gate_->metricsText();
  EXPECT_EQ(metricValue(scrape,
                        "creditgate_decisions_total{category=\"marketing\",decision=\"allow\","
                        "reason=\"ok\"}"),
            1)
      << scrape;
  EXPECT_EQ(metricValue(scrape, "creditgate_recipients_total{decision=\"allow\"}"), 2) << scrape;
  EXPECT_EQ(metricValue(scrape, "creditgate_decision_replays_total"), 2) << scrape;
  EXPECT_EQ(db_.balance("acme"), 8 * kEurGermanyMarketing);  // debited once
}

TEST_F(MetricsTest, EndpointListensOnLoopbackOnlyByDefault) {
  db_.addTenant("acme", "EUR", 1'000'000);
  // No "metrics" key at all: the documented default, 127.0.0.1:9464.
  startGateWithConfig(R"({"database": {"dsn": ")" + db_.pluginDsn() + R"("}})");
  const int port = static_cast<CreditGatePlugin&>(*gate_).metricsPort();
  ASSERT_EQ(port, 9464) << "is something else listening on 9464? " << host_.logs().back();
  EXPECT_EQ(listeningAddress(port), "0100007F");  // 127.0.0.1, not 0.0.0.0
  EXPECT_FALSE(httpGet(port, "/metrics").empty());
}

}  // namespace
}  // namespace creditgate::testing
