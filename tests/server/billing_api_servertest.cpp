// The billing API end to end: the real server process, the real plugin .so, a real PostgreSQL and
// real HTTP. What a client is told (status, decision, money) must be what the ledger holds.
#include <signal.h>

#include <fstream>
#include <thread>

#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

// acme: plenty (block); bistro: short (block); cafe: short, may go 3 EUR into overdraft (flag);
// deli: short, gets the affordable first recipients (partial).
constexpr const char* kPolicy =
    R"({"on_insufficient_credit": "block", "tenants": {)"
    R"("cafe": {"on_insufficient_credit": "flag", "overdraft_limit": "3"},)"
    R"("deli": {"on_insufficient_credit": "partial"}}})";

class BillingApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    db_.addTenant("acme", "EUR", 100'000'000);
    db_.addTenant("bistro", "EUR", 200'000);
    db_.addTenant("cafe", "EUR", 200'000);
    db_.addTenant("deli", "EUR", 300'000);
    startServer(kPolicy);
  }

  HttpReply decide(const std::string& batch_id, const std::string& body) {
    return post("/v1/batches/" + batch_id + "/decide", body, gateway_key_);
  }
};

TEST_F(BillingApiTest, AllowDebitsOnceAndARetryReplaysTheVerdictWithoutMovingMoney) {
  const std::string body = batchJson("acme", germanRecipientsJson(3));
  const HttpReply first = decide("b-1", body);
  ASSERT_EQ(first.status, 200) << first.body;
  auto verdict = json(first);
  EXPECT_EQ(verdict.at("decision"), "allow");
  EXPECT_EQ(verdict.at("reason"), "ok");
  EXPECT_EQ(verdict.at("replayed"), false);
  EXPECT_EQ(verdict.at("recipients_allowed"), 3);
  EXPECT_EQ(verdict.at("currency"), "EUR");
  EXPECT_EQ(verdict.at("price"), "0.409500");
  EXPECT_EQ(verdict.at("price_micros").as_string(), std::to_string(3 * kEurGermanyMarketing));
  EXPECT_EQ(verdict.at("balance_micros").as_string(), std::to_string(db_.balance("acme")));
  EXPECT_EQ(db_.balance("acme"), 100'000'000 - 3 * kEurGermanyMarketing);

  const HttpReply retry = decide("b-1", body);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(json(retry).at("replayed"), true);
  EXPECT_EQ(json(retry).at("price"), "0.409500");
  EXPECT_EQ(db_.balance("acme"), 100'000'000 - 3 * kEurGermanyMarketing);

  // The same id for other content is a conflict: 409, nothing debited.
  const HttpReply conflict = decide("b-1", batchJson("acme", germanRecipientsJson(4)));
  ASSERT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(json(conflict).at("error").as_object().at("code"), "batch_conflict");
  EXPECT_EQ(json(conflict).at("decision"), "block");
  EXPECT_EQ(db_.balance("acme"), 100'000'000 - 3 * kEurGermanyMarketing);
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

TEST_F(BillingApiTest, BlockFlagAndPartialAreAnswersWithStatus200) {
  const HttpReply blocked = decide("b-block", batchJson("bistro", germanRecipientsJson(5)));
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_EQ(json(blocked).at("decision"), "block");
  EXPECT_EQ(json(blocked).at("reason"), "insufficient_credit");
  EXPECT_EQ(json(blocked).at("price_micros"), "0");
  EXPECT_EQ(db_.balance("bistro"), 200'000);

  const HttpReply flagged = decide("b-flag", batchJson("cafe", germanRecipientsJson(5)));
  ASSERT_EQ(flagged.status, 200) << flagged.body;
  EXPECT_EQ(json(flagged).at("decision"), "allow_flagged");
  EXPECT_EQ(json(flagged).at("reason"), "overdraft");
  EXPECT_EQ(db_.balance("cafe"), 200'000 - 5 * kEurGermanyMarketing);
  EXPECT_EQ(json(flagged).at("balance_micros").as_string(), std::to_string(db_.balance("cafe")));

  const HttpReply partial = decide("b-part", batchJson("deli", germanRecipientsJson(5)));
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(json(partial).at("decision"), "allow_partial");
  EXPECT_EQ(json(partial).at("recipients_allowed"), 2);  // 0.30 EUR covers two at 0.1365
  EXPECT_EQ(json(partial).at("recipients_total"), 5);
  EXPECT_EQ(db_.balance("deli"), 300'000 - 2 * kEurGermanyMarketing);
  for (const char* tenant : {"bistro", "cafe", "deli"}) {
    EXPECT_EQ(db_.ledgerSum(tenant), db_.balance(tenant)) << tenant;
  }
}

TEST_F(BillingApiTest, OutcomesRefundTheFailedRecipientsOnceAndUnknownBatchesAre404) {
  ASSERT_EQ(decide("b-out", batchJson("acme", germanRecipientsJson(3))).status, 200);
  const std::string outcomes =
      R"({"tenant":"acme","outcomes":[{"recipient":"+4915110000000","status":"delivered"},)"
      R"({"recipient":"+4915110000001","status":"failed"},)"
      R"({"recipient":"+4915110000002","status":"delivered"}]})";
  const HttpReply settled = post("/v1/batches/b-out/outcomes", outcomes, gateway_key_);
  ASSERT_EQ(settled.status, 200) << settled.body;
  auto s = json(settled);
  EXPECT_EQ(s.at("accepted"), true);
  EXPECT_EQ(s.at("refunded_recipients"), 1);
  EXPECT_EQ(s.at("refunded_micros").as_string(), std::to_string(kEurGermanyMarketing));
  EXPECT_EQ(db_.balance("acme"), 100'000'000 - 2 * kEurGermanyMarketing);
  EXPECT_EQ(s.at("balance_micros").as_string(), std::to_string(db_.balance("acme")));

  const HttpReply again = post("/v1/batches/b-out/outcomes", outcomes, gateway_key_);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json(again).at("refunded_recipients"), 0);
  EXPECT_EQ(json(again).at("already_settled"), 3);
  EXPECT_EQ(db_.balance("acme"), 100'000'000 - 2 * kEurGermanyMarketing);

  const HttpReply unknown = post("/v1/batches/never-sent/outcomes", outcomes, gateway_key_);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(json(unknown).at("error").as_object().at("code"), "unknown_batch");
  EXPECT_EQ(db_.ledgerSum("acme"), db_.balance("acme"));
}

TEST_F(BillingApiTest, AQuoteAnswersWhatDecideWouldWithoutTouchingTheLedger) {
  const std::int64_t entries = db_.count("ledger_entry");
  const HttpReply quote =
      post("/v1/quote", batchJson("deli", germanRecipientsJson(5)), gateway_key_);
  ASSERT_EQ(quote.status, 200) << quote.body;
  auto q = json(quote);
  EXPECT_EQ(q.at("decision"), "allow_partial");
  EXPECT_EQ(q.at("recipients_affordable"), 2);
  EXPECT_EQ(q.at("price_micros").as_string(), std::to_string(5 * kEurGermanyMarketing));
  EXPECT_EQ(q.at("available_micros"), "300000");
  ASSERT_EQ(q.at("lines").as_array().size(), 1u);
  EXPECT_EQ(q.at("lines").as_array()[0].as_object().at("recipients"), 5);
  EXPECT_EQ(db_.count("ledger_entry"), entries);
  EXPECT_EQ(db_.balance("deli"), 300'000);
}

TEST_F(BillingApiTest, KeysAreCheckedAndATenantKeyReadsOnlyItsOwnBalance) {
  ASSERT_EQ(decide("b-bal", batchJson("acme", germanRecipientsJson(2))).status, 200);
  const std::string acme_key = addApiKey("tenant:acme");
  const std::string admin_key = addApiKey("admin");

  const HttpReply own = get("/v1/tenants/acme/balance", acme_key);
  ASSERT_EQ(own.status, 200) << own.body;
  auto b = json(own);
  EXPECT_EQ(b.at("balance_micros").as_string(), std::to_string(db_.balance("acme")));
  EXPECT_EQ(b.at("spent_today_micros").as_string(), std::to_string(2 * kEurGermanyMarketing));
  EXPECT_EQ(b.at("debt_micros"), "0");
  EXPECT_EQ(b.at("currency"), "EUR");
  EXPECT_EQ(b.at("level"), "ok");

  // Another tenant's balance: 403 whether it exists or not, and nothing of it in the answer.
  for (const char* other : {"bistro", "nobody"}) {
    const HttpReply foreign = get(std::string("/v1/tenants/") + other + "/balance", acme_key);
    EXPECT_EQ(foreign.status, 403) << foreign.body;
    EXPECT_EQ(foreign.body.find("200000"), std::string::npos) << foreign.body;
  }
  // A tenant key cannot decide; a gateway key cannot read balances.
  EXPECT_EQ(decide("b-x", batchJson("acme", germanRecipientsJson(1))).status, 200);
  EXPECT_EQ(
      post("/v1/batches/b-y/decide", batchJson("acme", germanRecipientsJson(1)), acme_key).status,
      403);
  EXPECT_EQ(get("/v1/tenants/acme/balance", gateway_key_).status, 403);
  // An admin reads any balance; an unknown tenant is 404 to an admin.
  EXPECT_EQ(get("/v1/tenants/bistro/balance", admin_key).status, 200);
  EXPECT_EQ(get("/v1/tenants/nobody/balance", admin_key).status, 404);
  const HttpReply invalid = get("/v1/tenants/a%20b/balance", admin_key);  // a space: not an id
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_EQ(json(invalid).at("error").as_object().at("field"), "tenant");

  // No key, a malformed one, a wrong secret: 401 with a Bearer challenge, nothing decided.
  const std::int64_t entries = db_.count("ledger_entry");
  const std::string wrong_secret = gateway_key_.substr(0, gateway_key_.size() - 4) + "AAAA";
  for (const std::string& key : {std::string(), std::string("cg_nope"), wrong_secret}) {
    const HttpReply r =
        post("/v1/batches/b-unauth/decide", batchJson("acme", germanRecipientsJson(1)), key);
    EXPECT_EQ(r.status, 401) << key << ": " << r.body;
    EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer realm=\"creditgate\"");
  }
  EXPECT_EQ(db_.count("ledger_entry"), entries);

  // Revoked: refused once the server's key cache (200 ms here) has expired.
  const std::string key_id = acme_key.substr(3, 12);
  ASSERT_EQ(runCreditctl({"apikey", "revoke", key_id}, db_.adminDsn()).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(get("/v1/tenants/acme/balance", acme_key).status, 401);
}

TEST_F(BillingApiTest, HealthReadinessAndMetricsAnswerWithoutAKey) {
  const HttpReply health = get("/healthz", "");
  EXPECT_EQ(health.status, 200);
  const HttpReply ready = get("/readyz", "");
  ASSERT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(json(ready).at("ready"), true);
  ASSERT_EQ(decide("b-m", batchJson("acme", germanRecipientsJson(1))).status, 200);
  const HttpReply metrics = get("/metrics", "");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("creditgate_http_requests_total{route=\"decide\",status=\"200\"} 1"),
            std::string::npos)
      << metrics.body.substr(0, 3000);
  EXPECT_NE(metrics.body.find("creditgate_decisions_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("creditgate_http_open_connections"), std::string::npos);
}

TEST_F(BillingApiTest, AnAdminsPolicyEditIsInForceWhileTrafficFlowsAndSighupReloadsIt) {
  // bistro: block, so a batch it cannot afford is refused...
  ASSERT_EQ(json(decide("e-0", batchJson("bistro", germanRecipientsJson(5)))).at("decision"),
            "block");
  // ...then the admins let it go 3 EUR into overdraft, editing the plugin's config in place while
  // a client keeps deciding; SIGHUP asks for the reload at once.
  std::ofstream(plugin_config_, std::ios::trunc) << pluginConfigJson(
      db_.pluginDsn(), R"({"on_insufficient_credit": "block", "tenants": {)"
                       R"("bistro": {"on_insufficient_credit": "flag", "overdraft_limit": "3"}}})");
  server_->signal(SIGHUP);
  std::string decision;
  for (int i = 1; i <= 50 && decision != "allow_flagged"; ++i) {
    const HttpReply reply =
        decide("e-" + std::to_string(i), batchJson("bistro", germanRecipientsJson(5, i * 10)));
    ASSERT_EQ(reply.status, 200) << reply.body;
    decision = std::string(json(reply).at("decision").as_string());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(decision, "allow_flagged") << "the edited policy was not in force 5 s after SIGHUP";
  EXPECT_EQ(get("/healthz", "").status, 200);
  EXPECT_NE(server_->stderrText().find("SIGHUP: plugin config reload applied"), std::string::npos)
      << server_->stderrText();
}

TEST_F(BillingApiTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpConnection connection(server_->port());
  for (int i = 0; i < 20; ++i) {
    const HttpReply reply = connection.request(
        "POST", "/v1/batches/ka-" + std::to_string(i) + "/decide",
        batchJson("acme", germanRecipientsJson(1, i)),
        {{"Authorization", "Bearer " + gateway_key_}, {"Content-Type", "application/json"}});
    ASSERT_EQ(reply.status, 200) << reply.body;
  }
  EXPECT_EQ(db_.balance("acme"), 100'000'000 - 20 * kEurGermanyMarketing);
}

}  // namespace
}  // namespace creditgate::testing
