// The ledger down under the HTTP API: with a blocking policy a decision is 503 + Retry-After (retry
// with the same batch id), nothing is debited, /readyz says not ready; once the ledger is back the
// retry is decided. With on_ledger_unavailable = allow_flagged the answer is a 200 allow_flagged.
#include <cstdlib>
#include <thread>

#include "decimal_micros.hpp"
#include "server_fixture.hpp"
#include "tcp_proxy.hpp"

namespace creditgate::testing {
namespace {

class OutageServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    db_.addTenant("acme", "EUR", 100'000'000);
    const std::string dsn = std::getenv("CREDITGATE_TEST_PG");
    proxy_ = std::make_unique<TcpProxy>(std::atoi(dsn.c_str() + dsn.rfind("port=") + 5));
    journal_ = writeTempFile("outage.journal", "").string();
  }

  // Both the plugin's ledger and the server's key lookups go through the proxy: an outage takes
  // both away, as a database server going down does.
  void startBehindProxy(const std::string& policy_extra) {
    keys_dsn_ = db_.serverDsn() + " port=" + std::to_string(proxy_->port());
    startServerWithPluginConfig(
        R"({"database": {"dsn": ")" + db_.pluginDsn() + " port=" + std::to_string(proxy_->port()) +
        R"(", "statement_timeout_ms": 1000, "connect_timeout_s": 1, "rates_refresh_ms": 200},
        "policy": {"on_insufficient_credit": "block")" +
        policy_extra + R"(},
        "failure": {"journal_path": ")" +
        journal_ + R"(", "replay_ms": 100},
        "metrics": {"listen": ""}})");
  }

  // Polls /readyz until it answers `status` (at most 20 s: past the circuit's longest open period).
  bool readyzBecomes(int status) {
    for (int i = 0; i < 200; ++i) {
      if (get("/readyz", "").status == status) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::unique_ptr<TcpProxy> proxy_;
  std::string journal_;
};

TEST_F(OutageServerTest, ABlockingPolicyAnswers503WithRetryAfterAndTheRetryIsDecidedOnceBack) {
  startBehindProxy("");
  const std::string admin = addApiKey("admin");
  ASSERT_EQ(
      post("/v1/batches/before/decide", batchJson("acme", germanRecipientsJson(1)), gateway_key_)
          .status,
      200);
  const std::int64_t balance = db_.balance("acme");

  proxy_->setMode(TcpProxy::Mode::refuse);
  const std::string body = batchJson("acme", germanRecipientsJson(2, 10));
  // Longer than every cache and back-off on the way: the key cache (200 ms here), the plugin's
  // circuit breaker and tenant cache. A known key keeps being accepted: 503, never 401.
  const auto outage_end = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  int answers = 0;
  while (std::chrono::steady_clock::now() < outage_end) {
    const HttpReply r = post("/v1/batches/during/decide", body, gateway_key_);
    ASSERT_EQ(r.status, 503) << "after " << answers << " answers: " << r.body;
    ++answers;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  const HttpReply down = post("/v1/batches/during/decide", body, gateway_key_);
  ASSERT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.header("Retry-After"), "1");
  const std::string code(json(down).at("error").as_object().at("code").as_string());
  EXPECT_TRUE(code == "ledger_unavailable" || code == "ledger_timeout") << code;
  EXPECT_EQ(json(down).at("decision"), "block");
  EXPECT_EQ(post("/v1/quote", body, gateway_key_).status, 503);
  EXPECT_EQ(get("/v1/tenants/acme/balance", admin).status, 503);
  EXPECT_TRUE(readyzBecomes(503));
  EXPECT_EQ(get("/readyz", "").header("Retry-After"), "1");
  EXPECT_EQ(get("/healthz", "").status, 200);  // the process is up: do not restart it
  EXPECT_EQ(db_.balance("acme"), balance);

  proxy_->setMode(TcpProxy::Mode::forward);
  ASSERT_TRUE(readyzBecomes(200)) << "not ready 20 s after the ledger came back";
  const HttpReply retry = post("/v1/batches/during/decide", body, gateway_key_);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(json(retry).at("decision"), "allow");
  EXPECT_EQ(json(retry).at("replayed"), false);
  EXPECT_EQ(db_.balance("acme"), balance - 2 * kEurGermanyMarketing);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

TEST_F(OutageServerTest, AllowFlaggedDuringAnOutageIsA200AndIsDebitedWhenTheLedgerIsBack) {
  startBehindProxy(R"(, "on_ledger_unavailable": "allow_flagged", "ledger_unavailable_cap": ")" +
                   formatMicros(10 * kEurGermanyMarketing) + R"(")");
  ASSERT_EQ(
      post("/v1/batches/warm/decide", batchJson("acme", germanRecipientsJson(1)), gateway_key_)
          .status,
      200);
  const std::int64_t balance = db_.balance("acme");
  proxy_->setMode(TcpProxy::Mode::refuse);
  // Through an outage longer than every cache (keys 200 ms, tenants, circuit breaker), the policy
  // keeps answering: allow_flagged, until the cap (10 messages) is reached.
  int flagged_count = 0;
  for (int i = 0; i < 8; ++i) {
    const HttpReply r = post("/v1/batches/long-" + std::to_string(i) + "/decide",
                             batchJson("acme", germanRecipientsJson(1, 100 + i)), gateway_key_);
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
    EXPECT_EQ(json(r).at("decision"), "allow_flagged") << i;
    flagged_count += 1;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const HttpReply flagged = post("/v1/batches/flagged/decide",
                                 batchJson("acme", germanRecipientsJson(2, 20)), gateway_key_);
  ASSERT_EQ(flagged.status, 200) << flagged.body;
  EXPECT_EQ(json(flagged).at("decision"), "allow_flagged");
  EXPECT_EQ(json(flagged).at("reason"), "ledger_unavailable");
  // Outcomes during the outage are journaled: accepted (200, journaled), settled later.
  const HttpReply outcomes =
      post("/v1/batches/flagged/outcomes",
           R"({"tenant":"acme","outcomes":[{"recipient":"+4915110000020","status":"failed"}]})",
           gateway_key_);
  EXPECT_EQ(outcomes.status, 200) << outcomes.body;
  EXPECT_EQ(json(outcomes).at("journaled"), true);

  proxy_->setMode(TcpProxy::Mode::forward);
  // The journal replays the debit, then the refund of the failed recipient.
  const std::int64_t expected = balance - (flagged_count + 1) * kEurGermanyMarketing;
  for (int i = 0; i < 200 && db_.balance("acme") != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(db_.balance("acme"), expected);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

}  // namespace
}  // namespace creditgate::testing
