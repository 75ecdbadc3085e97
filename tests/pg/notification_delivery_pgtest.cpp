// Notifications reach people (sql/023, plugin/notify, plugin/delivery): the gate's relay sends each
// event to a real SMTP server (tests/notify/smtp_sink.py, aiosmtpd) and a real HTTP receiver whose
// Standard Webhooks signatures are checked by an independent implementation (npm standardwebhooks,
// tests/notify/webhook_receiver.mjs). Every assertion is what a mailbox, a receiver or the
// delivery record shows.
#include <gmock/gmock.h>

#include <thread>

#include "decimal_micros.hpp"
#include "gate_fixture.hpp"
#include "notify_receivers.hpp"

namespace creditgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr std::int64_t kPrice = kEurGermanyMarketing;  // one German marketing message in EUR

std::string textOf(TestDatabase& db, const std::string& sql) {
  pqxx::nontransaction txn(db.connection());
  const pqxx::row row = txn.exec1(sql);
  return row[0].is_null() ? "" : row[0].as<std::string>();
}

// Polls until `done` or the limit; the limit is only a bound for a broken build, never a measure.
template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = 60s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

struct RelaySettings {
  std::string smtp_url;
  int retry_period_s = 3600;
  int max_backoff_ms = 2000;
  int webhook_timeout_ms = 5000;
  int concurrency = 4;
  int poll_ms = 50;
  std::string email_extra;  // more members of notifications.email, with a leading comma
};

RelaySettings relayTo(std::string smtp_url) {
  RelaySettings relay;
  relay.smtp_url = std::move(smtp_url);
  return relay;
}

class DeliveryTest : public GateTest {
 protected:
  // Warning below 50 messages' worth, critical below 20; the relay polls every 50 ms.
  void startRelayingGate(const RelaySettings& relay) {
    const std::string notifications =
        R"("notifications": {"low_balance_warning": ")" + formatMicros(50 * kPrice) +
        R"(", "low_balance_critical": ")" + formatMicros(20 * kPrice) +
        R"(", "min_interval_s": 0, "relay": {"poll_ms": )" + std::to_string(relay.poll_ms) +
        R"(, "concurrency": )" + std::to_string(relay.concurrency) + R"(, "max_backoff_ms": )" +
        std::to_string(relay.max_backoff_ms) + R"(, "retry_period_s": )" +
        std::to_string(relay.retry_period_s) + R"(}, "email": {"smtp_url": ")" + relay.smtp_url +
        R"(", "starttls": "off", "from": "credit@gw.example", "timeout_ms": 5000,)"
        R"( "portal_url": "https://billing.gw.example/portal/")" +
        relay.email_extra + R"(}, "webhook": {"timeout_ms": )" +
        std::to_string(relay.webhook_timeout_ms) + "}}";
    startGate(kBlockPolicy, 1000, notifications);
  }

  void setContacts(const std::string& tenant, const std::string& contacts_sql_array) {
    db_.exec("SELECT creditgate.set_tenant_contacts('" + tenant + "', " + contacts_sql_array + ")");
  }
  std::string secretOf(const std::string& tenant) {
    return textOf(db_, "SELECT secret FROM creditgate.webhook_secret WHERE tenant_id = '" + tenant +
                           "' ORDER BY created_at DESC LIMIT 1");
  }
  std::int64_t deliveries(const std::string& where) {
    return db_.queryInt("SELECT count(*) FROM creditgate.notification_delivery WHERE " + where);
  }
  // An event as the money functions write it (sql/009), for tests about delivery, not emission.
  std::int64_t emitLowBalance(const std::string& tenant, std::int64_t balance_micros) {
    return db_.queryInt(
        "INSERT INTO creditgate.outbox_event (tenant_id, type, payload) VALUES ('" + tenant +
        "', 'low_balance', jsonb_build_object('level', 'critical', 'threshold_micros', 5000000,"
        " 'balance_micros', " +
        std::to_string(balance_micros) + ", 'currency', 'EUR')) RETURNING event_id");
  }
};

TEST_F(DeliveryTest, ALowBalanceMailArrivesWithItsSubjectAmountsAndHeaders) {
  SmtpSink sink;
  db_.addTenant("acme", "EUR", 21 * kPrice);
  setContacts("acme", "ARRAY['email:ops@acme.example']");
  startRelayingGate(relayTo(sink.url()));

  // 21 -> 19 messages' worth: below critical (20), so one low_balance event (level critical).
  ASSERT_NE(decide(batch("acme", "b-1", germanNumbers(2))).decision, api::Decision::block);
  const std::int64_t event = db_.queryInt("SELECT max(event_id) FROM creditgate.outbox_event");
  ASSERT_TRUE(sink.waitForMails(1, 30s)) << sink.output();
  ASSERT_TRUE(eventually([&] { return deliveries("state = 'delivered'") == 1; }));

  const std::vector<ReceivedMail> mails = sink.mails();
  ASSERT_EQ(mails.size(), 1u);
  const ReceivedMail& mail = mails[0];
  const std::string balance = formatMicrosIn(19 * kPrice, 2);  // EUR: two decimals
  const std::string threshold = formatMicrosIn(20 * kPrice, 2);
  EXPECT_EQ(mail.subject, "WhatsApp credit low: " + balance + " EUR left (critical)");
  EXPECT_EQ(mail.message_id, "<creditgate.event-" + std::to_string(event) + "@gw.example>");
  EXPECT_EQ(mail.mail_from, "credit@gw.example");
  EXPECT_EQ(mail.rcpt_tos, std::vector<std::string>{"ops@acme.example"});
  EXPECT_THAT(mail.to, HasSubstr("ops@acme.example"));
  EXPECT_EQ(mail.content_type, "multipart/alternative");
  EXPECT_THAT(mail.text, HasSubstr(balance + " EUR"));
  EXPECT_THAT(mail.text, HasSubstr(threshold + " EUR"));
  EXPECT_THAT(mail.text, HasSubstr("https://billing.gw.example/portal/t/acme/"));
  EXPECT_THAT(mail.html, HasSubstr(balance + " EUR"));
  EXPECT_EQ(deliveries("state = 'delivered' AND last_status = 250 AND attempts = 1"
                       " AND channel = 'email:ops@acme.example' AND delivered_at IS NOT NULL"),
            1);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.outbox_event WHERE sent_at IS NULL"), 0);
}

TEST_F(DeliveryTest, ABlockedCampaignsMailNamesTheCampaignAndItsShortfall) {
  SmtpSink sink;
  db_.addTenant("bistro", "EUR", kPrice);  // one message's worth
  setContacts("bistro", "ARRAY['email:owner@bistro.example']");
  startRelayingGate(relayTo(sink.url()));

  OwnedBatch b = batch("bistro", "b-9", germanNumbers(3));
  b.campaign_id = "autumn-menu";
  ASSERT_EQ(decide(std::move(b)).decision, api::Decision::block);
  ASSERT_TRUE(sink.waitForMails(1, 30s)) << sink.output();
  const ReceivedMail mail = sink.mails().at(0);
  const std::string shortfall = formatMicrosIn(2 * kPrice, 2);
  EXPECT_EQ(mail.subject, "WhatsApp campaign blocked: " + shortfall + " EUR more credit needed");
  EXPECT_THAT(mail.text, HasSubstr("autumn-menu"));
  EXPECT_THAT(mail.text, HasSubstr("b-9"));
  EXPECT_THAT(mail.text, HasSubstr(shortfall + " EUR"));
}

// Longer than every backoff (capped at 2 s here) many times over: the relay keeps trying and the
// mail arrives once, once the server is back.
TEST_F(DeliveryTest, WhileTheSmtpServerIsDownTheMailWaitsAndArrivesOnceItIsBack) {
  SmtpSink sink;
  const std::string url = sink.url();
  sink.stop();
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['email:ops@acme.example']");
  startRelayingGate(relayTo(url));
  const std::int64_t event = emitLowBalance("acme", 4'100'000);

  std::this_thread::sleep_for(20s);
  EXPECT_EQ(deliveries("state = 'pending' AND attempts >= 5 AND last_error IS NOT NULL"), 1);
  EXPECT_TRUE(
      host_.logged("event " + std::to_string(event) + " (low_balance) to email:ops@acme.example"));

  sink.start();
  ASSERT_TRUE(sink.waitForMails(1, 30s)) << sink.output();
  ASSERT_TRUE(eventually([&] { return deliveries("state = 'delivered'") == 1; }));
  std::this_thread::sleep_for(3s);  // a second copy would have arrived by now
  EXPECT_EQ(sink.mails().size(), 1u);
  EXPECT_EQ(sink.mails()[0].subject, "WhatsApp credit low: 4.10 EUR left (critical)");
}

TEST_F(DeliveryTest, SmtpAuthIsUsedAndAWrongPasswordIsRetriedWithoutLoggingIt) {
  SmtpSinkOptions with_auth;
  with_auth.user = "gateway";
  with_auth.password = "s3cret-pw";
  SmtpSink sink(with_auth);
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['email:ops@acme.example']");
  const auto wrong = writeTempFile("smtp-password", "not-the-pw\n");
  RelaySettings relay = relayTo(sink.url());
  relay.email_extra = R"(, "username": "gateway", "password_file": ")" + wrong.string() + "\"";
  startRelayingGate(relay);
  emitLowBalance("acme", 4'100'000);
  ASSERT_TRUE(eventually([&] { return deliveries("attempts >= 2") == 1; }));
  EXPECT_EQ(deliveries("state = 'pending' AND last_status = 535"), 1);
  EXPECT_TRUE(sink.mails().empty());
  for (const std::string& line : host_.logs()) EXPECT_THAT(line, Not(HasSubstr("not-the-pw")));

  const auto right = writeTempFile("smtp-password", "s3cret-pw\n");
  gate_.reset();
  relay.email_extra = R"(, "username": "gateway", "password_file": ")" + right.string() + "\"";
  startRelayingGate(relay);
  db_.exec("UPDATE creditgate.notification_delivery SET available_at = now()");
  ASSERT_TRUE(sink.waitForMails(1, 30s)) << sink.output();
  EXPECT_EQ(sink.mails()[0].auth_user, "gateway");
}

TEST_F(DeliveryTest, ARecipientTheServerRefusesFailsAtOnceAndOthersStillGetIt) {
  SmtpSinkOptions refusing;
  refusing.reject_rcpt = {"gone@acme.example"};
  SmtpSink sink(refusing);
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['email:gone@acme.example', 'email:ops@acme.example']");
  startRelayingGate(relayTo(sink.url()));
  emitLowBalance("acme", 4'100'000);
  ASSERT_TRUE(eventually([&] { return deliveries("state <> 'pending'") == 2; }));
  EXPECT_EQ(deliveries("channel = 'email:gone@acme.example' AND state = 'failed' AND attempts = 1"
                       " AND last_status = 550"),
            1);
  EXPECT_EQ(deliveries("channel = 'email:ops@acme.example' AND state = 'delivered'"), 1);
  EXPECT_EQ(sink.mails().size(), 1u);
}

TEST_F(DeliveryTest, AWebhookIsSignedSoThatAnIndependentVerifierAcceptsIt) {
  WebhookReceiver receiver;
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['webhook:" + receiver.url("/hooks/acme?token=abc") + "']");
  receiver.setSecrets({{"/hooks/acme", {secretOf("acme")}}});
  startRelayingGate(relayTo("smtp://127.0.0.1:9"));
  const std::int64_t event = emitLowBalance("acme", 4'100'000);

  ASSERT_TRUE(receiver.waitForHooks(1, 30s)) << receiver.output();
  ASSERT_TRUE(eventually([&] { return deliveries("state = 'delivered'") == 1; }));
  const ReceivedWebhook hook = receiver.hooks().at(0);
  EXPECT_TRUE(hook.verified) << hook.verify_error;  // signature, and timestamp within 5 minutes
  EXPECT_EQ(hook.status, 200);
  EXPECT_EQ(hook.webhook_id, std::to_string(event));
  const std::int64_t sent_at = std::stoll(hook.webhook_timestamp);
  EXPECT_LE(std::abs(sent_at - hook.received_at_ms / 1000), 5);
  const boost::json::object& body = hook.body.as_object();
  EXPECT_EQ(body.at("type").as_string(), "creditgate.low_balance");
  EXPECT_TRUE(body.at("timestamp").is_string());
  const boost::json::object& data = body.at("data").as_object();
  EXPECT_EQ(data.at("tenant_id").as_string(), "acme");
  EXPECT_EQ(data.at("event_id").as_int64(), event);
  EXPECT_EQ(data.at("balance_micros").as_int64(), 4'100'000);
  EXPECT_EQ(data.at("balance").as_string(), "4.10");
  EXPECT_EQ(data.at("level").as_string(), "critical");
  // A receiver that knows another secret refuses it: the signature is really checked.
  receiver.setSecrets({{"/hooks/acme", {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}});
  emitLowBalance("acme", 3'000'000);
  ASSERT_TRUE(receiver.waitForHooks(2, 30s));
  EXPECT_FALSE(receiver.hooks().at(1).verified);
  EXPECT_TRUE(
      eventually([&] { return deliveries("state = 'pending' AND last_status = 401") == 1; }));
  for (const std::string& line : host_.logs()) EXPECT_THAT(line, Not(HasSubstr("token=abc")));
}

TEST_F(DeliveryTest, AWebhookAnswering500IsRetriedWithTheSameIdUntilItIsTaken) {
  WebhookReceiver receiver;
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['webhook:" + receiver.url("/hooks/acme/flaky-2") + "']");
  receiver.setSecrets({{"/hooks/acme", {secretOf("acme")}}});
  startRelayingGate(relayTo("smtp://127.0.0.1:9"));
  emitLowBalance("acme", 4'100'000);

  ASSERT_TRUE(eventually([&] { return deliveries("state = 'delivered'") == 1; }))
      << receiver.output();
  const std::vector<ReceivedWebhook> hooks = receiver.hooks();
  ASSERT_EQ(hooks.size(), 3u);
  EXPECT_EQ(hooks[0].status, 500);
  EXPECT_EQ(hooks[1].status, 500);
  EXPECT_EQ(hooks[2].status, 200);
  for (const auto& hook : hooks) {
    EXPECT_TRUE(hook.verified) << hook.verify_error;
    EXPECT_EQ(hook.webhook_id, hooks[0].webhook_id);
  }
  // Backoff: the retries were not immediate (1 s, then 2 s, each drawn from its upper half).
  EXPECT_GE(hooks[1].received_at_ms - hooks[0].received_at_ms, 500);
  EXPECT_GE(hooks[2].received_at_ms - hooks[1].received_at_ms, 1000);
  EXPECT_EQ(deliveries("attempts = 3 AND last_status = 200"), 1);
}

TEST_F(DeliveryTest, AWebhookAnswering410IsDisabledAndNotCalledAgain) {
  WebhookReceiver receiver;
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['webhook:" + receiver.url("/hooks/acme/status-410") +
                          "', 'email:ops@acme.example']");
  receiver.setSecrets({{"/hooks/acme", {secretOf("acme")}}});
  SmtpSink sink;
  startRelayingGate(relayTo(sink.url()));
  emitLowBalance("acme", 4'100'000);
  ASSERT_TRUE(eventually([&] { return deliveries("state = 'disabled'") == 1; }));
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.webhook_endpoint"
                         " WHERE disabled_at IS NOT NULL AND disabled_reason LIKE 'answered 410%'"),
            1);

  emitLowBalance("acme", 3'000'000);
  ASSERT_TRUE(sink.waitForMails(2, 30s));  // the mail still goes
  ASSERT_TRUE(eventually([&] { return deliveries("state = 'disabled'") == 2; }));
  EXPECT_EQ(receiver.hooks().size(), 1u);  // the endpoint was not called for the second event
  EXPECT_EQ(deliveries("state = 'disabled' AND last_error = 'the webhook endpoint is disabled'"),
            1);
}

TEST_F(DeliveryTest, AWebhookThatNeverAnswers2xxIsFailedAfterTheRetryPeriod) {
  WebhookReceiver receiver;
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['webhook:" + receiver.url("/hooks/acme/status-503") + "']");
  receiver.setSecrets({{"/hooks/acme", {secretOf("acme")}}});
  RelaySettings relay = relayTo("smtp://127.0.0.1:9");
  relay.retry_period_s = 4;
  startRelayingGate(relay);
  emitLowBalance("acme", 4'100'000);
  ASSERT_TRUE(eventually([&] { return deliveries("state = 'failed'") == 1; }));
  EXPECT_EQ(deliveries("state = 'failed' AND last_status = 503 AND attempts >= 2"), 1);
  const std::size_t calls = receiver.hooks().size();
  EXPECT_GE(calls, 2u);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(receiver.hooks().size(), calls);  // given up: no more calls
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.outbox_event WHERE sent_at IS NULL"), 0);
}

TEST_F(DeliveryTest, DuringASecretRotationBothSecretsSignAndAfterItOnlyTheNewOne) {
  WebhookReceiver receiver;
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['webhook:" + receiver.url("/hooks/acme") + "']");
  const std::string old_secret = secretOf("acme");
  startRelayingGate(relayTo("smtp://127.0.0.1:9"));
  const std::string url = receiver.url("/hooks/acme");
  const std::string new_secret =
      textOf(db_, "SELECT creditgate.rotate_webhook_secret('acme', '" + url + "', 3600000)");
  ASSERT_NE(new_secret, old_secret);

  receiver.setSecrets({{"/hooks/acme", {old_secret}}});  // a receiver not yet switched
  emitLowBalance("acme", 4'100'000);
  ASSERT_TRUE(receiver.waitForHooks(1, 30s));
  receiver.setSecrets({{"/hooks/acme", {new_secret}}});  // and one already switched
  emitLowBalance("acme", 3'000'000);
  ASSERT_TRUE(receiver.waitForHooks(2, 30s));
  std::vector<ReceivedWebhook> hooks = receiver.hooks();
  EXPECT_TRUE(hooks[0].verified) << hooks[0].verify_error;
  EXPECT_TRUE(hooks[1].verified) << hooks[1].verify_error;
  EXPECT_EQ(std::count(hooks[1].webhook_signature.begin(), hooks[1].webhook_signature.end(), ' '),
            1);  // "v1,<new> v1,<old>"

  // The rotation is over (overlap 0): the old secret no longer signs.
  const std::string newest =
      textOf(db_, "SELECT creditgate.rotate_webhook_secret('acme', '" + url + "', 0)");
  receiver.setSecrets({{"/hooks/acme", {new_secret}}});
  emitLowBalance("acme", 2'000'000);
  ASSERT_TRUE(receiver.waitForHooks(3, 30s));
  EXPECT_FALSE(receiver.hooks()[2].verified);
  receiver.setSecrets({{"/hooks/acme", {newest}}});
  db_.exec("UPDATE creditgate.notification_delivery SET available_at = now()");
  ASSERT_TRUE(eventually([&] { return deliveries("state = 'delivered'") == 3; }));
  hooks = receiver.hooks();
  EXPECT_TRUE(hooks.back().verified);
  EXPECT_EQ(hooks.back().webhook_signature.find(' '), std::string::npos);  // one secret
}

TEST_F(DeliveryTest, ASlowEndpointHoldsOneWorkerWhileOtherTenantsAreServed) {
  WebhookReceiver receiver;
  WebhookSecrets secrets;
  db_.addTenant("slow", "EUR", 100 * kPrice);
  setContacts("slow", "ARRAY['webhook:" + receiver.url("/hooks/slow/slow-20000") + "']");
  secrets["/hooks/slow"] = {secretOf("slow")};
  for (int i = 0; i < 6; ++i) {
    const std::string tenant = "fast" + std::to_string(i);
    db_.addTenant(tenant, "EUR", 100 * kPrice);
    setContacts(tenant, "ARRAY['webhook:" + receiver.url("/hooks/" + tenant) + "']");
    secrets["/hooks/" + tenant] = {secretOf(tenant)};
  }
  receiver.setSecrets(secrets);
  // Two workers; a timeout longer than the test: the slow endpoint's request stays in flight.
  RelaySettings relay = relayTo("smtp://127.0.0.1:9");
  relay.webhook_timeout_ms = 60000;
  relay.concurrency = 2;
  startRelayingGate(relay);
  for (int i = 0; i < 5; ++i) emitLowBalance("slow", 4'100'000 - i);
  for (int i = 0; i < 6; ++i) emitLowBalance("fast" + std::to_string(i), 4'100'000);

  ASSERT_TRUE(eventually([&] { return deliveries("state = 'delivered'") == 6; }))
      << receiver.output();
  EXPECT_EQ(deliveries("tenant_id LIKE 'fast%' AND state = 'delivered'"), 6);
  // The slow tenant's five events: one in flight, the others wait their turn (one per channel).
  EXPECT_EQ(deliveries("tenant_id = 'slow' AND state = 'pending' AND claimed_until > now()"), 1);
  EXPECT_EQ(deliveries("tenant_id = 'slow' AND attempts = 0"), 4);
  gate_.reset();  // waits for the slow request to end (20 s) before the receiver goes
}

// Two channels of one event finishing at the same moment, in two transactions: the second to
// commit must see the first done and mark the event sent (a trial found events left "pending"
// when they raced: each saw the other's delivery still pending).
TEST_F(DeliveryTest, TwoChannelsFinishingAtOnceLeaveTheirEventSent) {
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['email:ops@acme.example', 'host']");
  const std::int64_t event = emitLowBalance("acme", 4'100'000);
  ASSERT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.claim_deliveries('r', 10, 60000)"), 2);
  const auto finish = [&](const std::string& channel) {
    return "SELECT creditgate.finish_delivery('r', 'acme', " + std::to_string(event) + ", '" +
           channel + "', 'delivered', 250, NULL, 0, 86400000)";
  };
  pqxx::connection first(db_.superuserDsn()), second(db_.superuserDsn());
  pqxx::work email(first);
  email.exec(finish("email:ops@acme.example"));  // done, not yet committed
  std::thread host([&] {
    pqxx::work t(second);
    t.exec(finish("host"));  // waits for the email's transaction (the event's lock)...
    t.commit();
  });
  std::this_thread::sleep_for(500ms);  // ...or, without that lock, commits meanwhile
  email.commit();
  host.join();
  EXPECT_EQ(deliveries("state = 'delivered'"), 2);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.outbox_event WHERE sent_at IS NOT NULL"),
            1);
}

// A gateway that stops (a one-shot run, say) sends what its last decisions wrote before it exits.
TEST_F(DeliveryTest, AStoppingGatewaySendsWhatIsDueBeforeItExits) {
  SmtpSink sink;
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['email:ops@acme.example', 'host']");
  // A relay that would not look for 10 minutes: only its stop can send these.
  RelaySettings relay = relayTo(sink.url());
  relay.poll_ms = 600000;
  startRelayingGate(relay);
  for (int i = 0; i < 6; ++i) emitLowBalance("acme", 4'100'000 - i);
  gate_.reset();
  EXPECT_EQ(deliveries("state = 'delivered'"), 12);
  EXPECT_EQ(sink.mails().size(), 6u);
  EXPECT_EQ(host_.notified().size(), 6u);
}

// Listing a webhook again (after a slip that dropped it) keeps its secret: its receiver goes on.
TEST_F(DeliveryTest, AWebhookListedAgainKeepsItsSecretAndOnlyListedOnesAreShown) {
  db_.addTenant("acme", "EUR", 100 * kPrice);
  setContacts("acme", "ARRAY['webhook:https://hooks.acme.example/credit']");
  const std::string secret = secretOf("acme");
  setContacts("acme", "ARRAY['email:ops@acme.example']");
  setContacts("acme",
              "ARRAY['email:ops@acme.example', 'webhook:https://hooks.acme.example/credit']");
  EXPECT_EQ(secretOf("acme"), secret);
  EXPECT_EQ(db_.count("webhook_secret"), 1);
}

TEST_F(DeliveryTest, ContactsThatAreNotChannelsAreRefusedNamingTheValue) {
  db_.addTenant("acme", "EUR", 100 * kPrice);
  for (const char* bad : {"email:a b@acme.example", "webhook:http://example.com/x",
                          "webhook:https://user@example.com/x", "email:"}) {
    try {
      setContacts("acme", std::string("ARRAY['") + bad + "']");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const pqxx::sql_error& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("'") + bad + "'"));
    }
  }
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.tenant"
                         " WHERE contacts = ARRAY['billing@acme.example']"),
            1);  // as added: nothing changed
  EXPECT_EQ(db_.count("webhook_endpoint"), 0);
}

}  // namespace
}  // namespace creditgate::testing
