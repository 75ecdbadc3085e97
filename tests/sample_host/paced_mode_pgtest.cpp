// The real sample_gateway binary, with the real plugin .so, against a real test database: what an
// SRE sees when running it in paced mode, and what the ledger shows afterwards.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "fake_host.hpp"
#include "gateway_process.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kCreditMicros = 1'000'000'000;  // 1000 EUR: never runs out in these tests
constexpr int kBatchSize = 2;
constexpr int kRecipients = 10;  // so a round is 5 batches

// logfmt value of `key` in the last line of `text` starting with `prefix` ("totals", "status").
std::int64_t field(const std::string& text, const std::string& prefix, const std::string& key) {
  std::int64_t value = -1;
  std::size_t at = 0;
  while ((at = text.find(prefix + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') {
      std::string line = text.substr(at, text.find('\n', at) - at);
      std::smatch match;
      if (std::regex_search(line, match, std::regex("(^| )" + key + "=([0-9]+)"))) {
        value = std::stoll(match[2]);
      }
    }
    at += prefix.size();
  }
  return value;
}

int countLines(const std::string& text, const std::string& prefix) {
  int count = 0;
  for (std::size_t at = 0; (at = text.find(prefix, at)) != std::string::npos; at += prefix.size()) {
    if (at == 0 || text[at - 1] == '\n') ++count;
  }
  return count;
}

class PacedModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.seedRates();
    db_.addTenant("acme", "EUR", kCreditMicros);
    plugin_config_ =
        writeTempFile("creditgate.json",
                      pluginConfigJson(db_.pluginDsn(), R"({"on_insufficient_credit": "block"})"));
    gateway_config_ = writeGatewayConfig(R"(, "status_interval_s": 1)");
    std::string recipients;
    for (int i = 0; i < kRecipients; ++i) {
      recipients += std::string(i ? ", " : "") + "\"+4915112345" + std::to_string(600 + i) + "\"";
    }
    campaigns_ = writeTempFile("campaigns.json", R"({"campaigns": [{"id": "paced", "tenant": "acme",
      "template": "offer_v1", "category": "marketing", "recipients": [)" +
                                                     recipients + "]}]}");
  }

  // `extra`: more members, with a leading comma.
  std::filesystem::path writeGatewayConfig(const std::string& extra) const {
    return writeTempFile(
        "gateway.json",
        R"({"plugin": ")" + std::string(CREDITGATE_PLUGIN_PATH) + R"(", "plugin_config": ")" +
            plugin_config_.string() + R"(", "batch_size": )" + std::to_string(kBatchSize) +
            R"(, "sender_threads": 4, "delivery_failure_percent": 20)" + extra + "}");
  }

  std::vector<std::string> pacedArgs(const std::string& rate) const {
    return {"--config", gateway_config_.string(), "--rate", rate, campaigns_.string()};
  }

  TestDatabase db_;
  std::filesystem::path plugin_config_, gateway_config_, campaigns_;
};

TEST_F(PacedModeTest, SendsAtTheRateUntilSigtermThenFinishesPrintsTotalsAndExitsZero) {
  GatewayProcess gateway(SAMPLE_GATEWAY_PATH, pacedArgs("50/s"));
  ASSERT_TRUE(gateway.waitForOutput("paced:", 30s)) << gateway.out() << gateway.err();
  std::this_thread::sleep_for(3s);
  gateway.signal(SIGTERM);
  const int status = gateway.wait(60s);
  const std::string out = gateway.out();
  ASSERT_EQ(status, 0) << out << gateway.err();

  EXPECT_NE(out.find("stopping (SIGTERM)"), std::string::npos) << out;
  // A status line about once a second (status_interval_s = 1) while it ran for about 3 s.
  EXPECT_GE(countLines(out, "status "), 2) << out;
  const std::int64_t batches = field(out, "totals", "batches");
  const std::int64_t elapsed_ms = field(out, "totals", "elapsed_ms");
  ASSERT_GT(elapsed_ms, 0) << out;
  // Paced: never more than 50 a second of the time it sent (one slot is due at once), and close
  // to that rate on an idle gateway; the lower bound leaves room for a busy test machine.
  EXPECT_LE(batches, 50 * elapsed_ms / 1000 + 1) << out;
  EXPECT_GE(batches, 100) << out;
  EXPECT_LE(batches, 200) << out;
  EXPECT_EQ(field(out, "totals", "allow"), batches) << out;
  EXPECT_EQ(field(out, "totals", "replayed"), 0) << out;  // fresh ids every round
  EXPECT_EQ(field(out, "totals", "reports_pending"), 0) << out;
  EXPECT_EQ(field(out, "totals", "reports_not_accepted"), 0) << out;

  // What the gateway said is what the ledger shows: one debit per batch, every sent recipient
  // recorded, every refund it printed booked.
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry "
                         "WHERE tenant_id = 'acme' AND kind = 'debit'"),
            batches);
  EXPECT_EQ(db_.queryInt("SELECT coalesce(sum(recipients_allowed), 0) FROM creditgate.batch"),
            field(out, "totals", "sent"));
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'refund'"),
            field(out, "totals", "refunded"));
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
  // Rounds of 5 batches, each under fresh ids "<campaign>-<nnnn>-r<round>".
  EXPECT_EQ(
      db_.queryInt(
          "SELECT count(*) FROM creditgate.batch WHERE batch_id !~ '^paced-000[1-5]-r[0-9]+$'"),
      0);
  EXPECT_GE(db_.queryInt("SELECT count(DISTINCT substring(batch_id FROM '-r([0-9]+)$')) "
                         "FROM creditgate.batch"),
            batches / 5);
}

TEST_F(PacedModeTest, StopsByItselfWhenTheDurationIsOver) {
  const GatewayRun run =
      runGateway(SAMPLE_GATEWAY_PATH, {"--config", gateway_config_.string(), "--rate", "20/s",
                                       "--duration", "2s", campaigns_.string()});
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  EXPECT_EQ(run.out.find("stopping (SIG"), std::string::npos) << run.out;
  const std::int64_t batches = field(run.out, "totals", "batches");
  EXPECT_GE(batches, 20) << run.out;
  EXPECT_LE(batches, 41) << run.out;  // 2 s at 20/s, plus the slot due at once
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'debit'"),
            batches);
}

TEST_F(PacedModeTest, OneShotModePrintsABatchLineEachAndTheSummaryAsBefore) {
  // Only the keys the gateway had before paced mode: this output must not have changed.
  const std::filesystem::path config = writeGatewayConfig("");
  const GatewayRun run =
      runGateway(SAMPLE_GATEWAY_PATH, {"--config", config.string(), campaigns_.string()});
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  for (int i = 1; i <= 5; ++i) {
    EXPECT_NE(run.out.find("paced-000" + std::to_string(i) + "  acme  allow "), std::string::npos)
        << run.out;
  }
  EXPECT_NE(run.out.find("\nsummary\ntenant"), std::string::npos) << run.out;
  EXPECT_EQ(countLines(run.out, "status "), 0) << run.out;
  EXPECT_EQ(countLines(run.out, "totals "), 0) << run.out;
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'debit'"), 5);
}

struct BadValue {
  std::vector<std::string> args;
  std::string named;  // what the error must quote
};

TEST(PacedModeArguments, BadRateOrDurationExitsTwoNamingTheValue) {
  const std::vector<BadValue> cases = {
      {{"--rate", "0/s"}, "'0/s'"},
      {{"--rate", "20"}, "'20'"},
      {{"--rate", "fast"}, "'fast'"},
      {{"--rate", "20/m"}, "'20/m'"},
      {{"--rate", "-5/s"}, "'-5/s'"},
      {{"--rate", "1000000/s"}, "'1000000/s'"},
      {{"--rate", "99999999999999999999/s"}, "'99999999999999999999/s'"},
      {{"--rate=", ""}, "''"},
      {{"--rate", "20/s", "--duration", "10"}, "'10'"},
      {{"--rate", "20/s", "--duration", "0s"}, "'0s'"},
      {{"--rate", "20/s", "--duration", "10x"}, "'10x'"},
      {{"--rate", "20/s", "--duration", "-1m"}, "'-1m'"},
      {{"--rate", "20/s", "--duration", "1.5h"}, "'1.5h'"},
      {{"--rate", "20/s", "--duration=99999999h"}, "'99999999h'"},
  };
  for (const BadValue& bad : cases) {
    std::vector<std::string> args = {"--config", "/nonexistent/gateway.json"};
    for (const std::string& arg : bad.args) {
      if (!arg.empty()) args.push_back(arg);
    }
    args.push_back("/nonexistent/campaigns.json");
    const GatewayRun run = runGateway(SAMPLE_GATEWAY_PATH, args);
    const std::string shown = ::testing::PrintToString(args);
    EXPECT_EQ(run.exit_status, 2) << shown << "\n" << run.err;
    EXPECT_NE(run.err.find(bad.named), std::string::npos) << shown << "\n" << run.err;
  }
}

TEST(PacedModeArguments, DurationWithoutRateIsRefused) {
  const GatewayRun run = runGateway(SAMPLE_GATEWAY_PATH, {"--config", "/nonexistent/gateway.json",
                                                          "--duration", "10m", "campaigns.json"});
  EXPECT_EQ(run.exit_status, 2) << run.err;
  EXPECT_NE(run.err.find("--duration needs --rate"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace creditgate::testing
