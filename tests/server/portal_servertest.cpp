// The billing portal served by a real creditgate-server over a real database, spoken to as a
// browser speaks (cookies, forms, redirects) but without one: what every page and download answers
// for the right session, another tenant's session, no session, an ended session, a forged form and
// a guessed password; the notifications page's channels and deliveries. tests/browser drives the
// same pages in Chromium.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <regex>

#include "creditctl_runner.hpp"
#include "portal_client.hpp"
#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

class PortalServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    db_.addTenant("acme", "USD", 0);
    db_.addTenant("bistro", "EUR", 0);
    db_.topup("acme", 250'000'000, "INV-1");
    db_.topup("bistro", 7'000'000, "B-1");
    acme_password_ = addPortalUser(db_.adminDsn(), "ops@acme.example", "tenant:acme");
    admin_password_ = addPortalUser(db_.adminDsn(), "boss@example.com", "admin");
    extra_members_ = "\"portal\": {\"database_dsn\": \"" + jsonEscaped(db_.portalDsn()) +
                     "\", \"login_failures_allowed\": 3}";
    startServer(R"({"on_insufficient_credit": "block"})", "", 1000, plugin_extra_);
  }

  HttpReply call(const std::string& method, const std::string& target, const std::string& cookie,
                 const std::string& form = "") {
    return portalCall(server_->port(), method, target, cookie, form);
  }
  std::string login(const std::string& email, const std::string& password,
                    HttpReply* last = nullptr) {
    return portalLogin(server_->port(), email, password, last);
  }

  std::string acme_password_, admin_password_;
  std::string plugin_extra_;  // more members of the plugin's config
};

TEST_F(PortalServerTest, ATenantSeesItsBalanceAndNoOtherTenantsPageOrDownload) {
  HttpReply reply;
  const std::string session = login("ops@acme.example", acme_password_, &reply);
  ASSERT_FALSE(session.empty()) << reply.status << reply.body;
  EXPECT_EQ(reply.status, 303);
  EXPECT_NE(reply.header("set-cookie").find("HttpOnly; SameSite=Strict"), std::string::npos);
  EXPECT_EQ(call("GET", "/portal/", session).header("location"), "/portal/t/acme/");

  const HttpReply overview = call("GET", "/portal/t/acme/", session);
  EXPECT_EQ(overview.status, 200);
  EXPECT_NE(overview.body.find("250.00 USD"), std::string::npos) << overview.body;
  EXPECT_NE(overview.header("content-security-policy").find("default-src 'none'"),
            std::string::npos);
  EXPECT_EQ(overview.body.find("Add credit"), std::string::npos);  // not an admin

  for (const char* page : {"", "ledger", "ledger.csv", "batches", "spend", "notifications"}) {
    EXPECT_EQ(call("GET", std::string("/portal/t/acme/") + page, session).status, 200) << page;
    const HttpReply other = call("GET", std::string("/portal/t/bistro/") + page, session);
    const HttpReply none = call("GET", std::string("/portal/t/nobody/") + page, session);
    EXPECT_EQ(other.status, 404) << page;
    EXPECT_EQ(none.status, 404) << page;
    EXPECT_EQ(other.body, none.body) << page;  // nothing tells "not yours" from "not there"
    EXPECT_EQ(other.body.find("7.00"), std::string::npos);
  }
  EXPECT_EQ(call("GET", "/portal/tenants", session).status, 404);
  // An admin's forms from a tenant's session: another tenant is 404, its own 403, nothing written.
  const std::string csrf = csrfIn(overview.body);
  EXPECT_EQ(call("POST", "/portal/t/bistro/topup", session,
                 formEncode({{"csrf", csrf}, {"amount", "5"}, {"reference", "x"}}))
                .status,
            404);
  EXPECT_EQ(call("POST", "/portal/t/acme/topup", session,
                 formEncode({{"csrf", csrf}, {"amount", "5"}, {"reference", "x"}}))
                .status,
            403);
  EXPECT_EQ(db_.balance("acme"), 250'000'000);
  EXPECT_EQ(db_.balance("bistro"), 7'000'000);
}

TEST_F(PortalServerTest, AnAdminTopsUpOnceHoweverOftenTheFormIsSent) {
  const std::string session = login("boss@example.com", admin_password_);
  ASSERT_FALSE(session.empty());
  const HttpReply list = call("GET", "/portal/tenants?sort=balance&order=desc", session);
  EXPECT_EQ(list.status, 200);
  EXPECT_LT(list.body.find(">acme<"), list.body.find(">bistro<"));
  const HttpReply overview = call("GET", "/portal/t/bistro/", session);
  const std::string csrf = csrfIn(overview.body);
  const std::string form =
      formEncode({{"csrf", csrf}, {"amount", "12.50"}, {"reference", "PAY-77"}, {"note", "wire"}});
  const HttpReply first = call("POST", "/portal/t/bistro/topup", session, form);
  const HttpReply again = call("POST", "/portal/t/bistro/topup", session, form);
  EXPECT_EQ(first.status, 303);
  EXPECT_EQ(again.status, 303);
  EXPECT_NE(again.header("location").find("replayed=1"), std::string::npos);
  EXPECT_EQ(db_.balance("bistro"), 19'500'000);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE reference = 'PAY-77'"),
            1);
  EXPECT_NE(
      call("GET", again.header("location"), session).body.find("already holds this reference"),
      std::string::npos);

  // Refusals the database makes (a top-up over the limit, an unknown currency, a tenant that is
  // already there) are the admin's to read, not a "database not answering" page.
  ASSERT_EQ(runCreditctl({"limits", "set", "--max-topup", "1000"}, db_.adminDsn()).exit_code, 0);
  const HttpReply over =
      call("POST", "/portal/t/bistro/topup", session,
           formEncode({{"csrf", csrf}, {"amount", "2000"}, {"reference", "BIG"}}));
  EXPECT_EQ(over.status, 422);
  EXPECT_NE(over.body.find("exceeds the limit for one top-up"), std::string::npos) << over.body;
  const std::string list_csrf = csrfIn(list.body);
  const HttpReply currency =
      call("POST", "/portal/tenants", session,
           formEncode({{"csrf", list_csrf}, {"tenant_id", "cafe"}, {"currency", "XYZ"}}));
  EXPECT_EQ(currency.status, 422);
  EXPECT_NE(currency.body.find("not an active ISO 4217 currency code"), std::string::npos);
  const HttpReply again_tenant =
      call("POST", "/portal/tenants", session,
           formEncode({{"csrf", list_csrf}, {"tenant_id", "acme"}, {"currency", "USD"}}));
  EXPECT_EQ(again_tenant.status, 422);
  EXPECT_NE(again_tenant.body.find("tenant acme already exists (USD)"), std::string::npos);
  const HttpReply created =
      call("POST", "/portal/tenants", session,
           formEncode({{"csrf", list_csrf}, {"tenant_id", " cafe "}, {"currency", "USD"}}));
  EXPECT_EQ(created.status, 303);
  EXPECT_EQ(created.header("location"), "/portal/t/cafe/?created=1");
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.tenant WHERE tenant_id = 'cafe'"), 1);

  // Bad input: named, kept in the form, nothing written.
  const HttpReply bad =
      call("POST", "/portal/t/bistro/topup", session,
           formEncode({{"csrf", csrf}, {"amount", "1e3"}, {"reference", "PAY-78"}}));
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("value=\"1e3\""), std::string::npos);
  EXPECT_NE(bad.body.find("no exponent"), std::string::npos);
  EXPECT_NE(bad.body.find("aria-invalid=\"true\""), std::string::npos);
  const HttpReply blank = call("POST", "/portal/t/bistro/topup", session,
                               formEncode({{"csrf", csrf}, {"amount", "1"}, {"reference", "   "}}));
  EXPECT_EQ(blank.status, 422);  // a reference of spaces is no reference
  EXPECT_NE(blank.body.find("enter a reference"), std::string::npos);
  EXPECT_EQ(db_.balance("bistro"), 19'500'000);
}

TEST_F(PortalServerTest, FormsWithoutTheSessionsCsrfTokenAndEndedSessionsChangeNothing) {
  const std::string session = login("boss@example.com", admin_password_);
  const std::string other = login("boss@example.com", admin_password_);
  ASSERT_FALSE(session.empty());
  const std::string other_csrf = csrfIn(call("GET", "/portal/t/acme/", other).body);
  for (const std::string& csrf : {std::string(), std::string("forged"), other_csrf}) {
    const HttpReply reply = call("POST", "/portal/t/acme/topup", session,
                                 formEncode({{"csrf", csrf}, {"amount", "5"}, {"reference", "R"}}));
    EXPECT_EQ(reply.status, 403) << csrf;
  }
  EXPECT_EQ(db_.balance("acme"), 250'000'000);

  // A session past its idle expiry, as the clock would leave it after 30 minutes away.
  db_.exec("UPDATE creditgate.portal_session SET idle_expires_at = now() - interval '1 second'");
  const HttpReply page = call("GET", "/portal/t/acme/", session);
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.header("location"), "/portal/login?ended=1");
  const std::string csrf = csrfIn(call("GET", "/portal/t/acme/", other).body);
  EXPECT_EQ(call("POST", "/portal/t/acme/topup", other,
                 formEncode({{"csrf", csrf}, {"amount", "5"}, {"reference", "R"}}))
                .status,
            401);  // the other session expired with it
  EXPECT_EQ(db_.balance("acme"), 250'000'000);
}

TEST_F(PortalServerTest, LogoutEverywhereEndsEverySessionOfTheUser) {
  const std::string phone = login("ops@acme.example", acme_password_);
  const std::string laptop = login("ops@acme.example", acme_password_);
  const std::string csrf = csrfIn(call("GET", "/portal/t/acme/", laptop).body);
  const HttpReply out =
      call("POST", "/portal/logout", laptop, formEncode({{"csrf", csrf}, {"everywhere", "1"}}));
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(cookieSet(out, "cg_session"), "");
  EXPECT_EQ(call("GET", "/portal/t/acme/", phone).status, 303);
  EXPECT_EQ(call("GET", "/portal/t/acme/", laptop).status, 303);
}

TEST_F(PortalServerTest, WrongPasswordsAreLimitedPerEmailAndUnknownEmailsLookTheSame) {
  HttpReply reply;
  EXPECT_TRUE(login("nobody@example.com", "guess", &reply).empty());
  EXPECT_EQ(reply.status, 401);
  const std::string unknown_body = reply.body;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(login("ops@acme.example", "wrong", &reply).empty());
    EXPECT_EQ(reply.status, 401);
  }
  // The same page for a wrong password as for an unknown email (but the email typed).
  EXPECT_EQ(std::regex_replace(reply.body, std::regex("value=\"[^\"]*\""), ""),
            std::regex_replace(unknown_body, std::regex("value=\"[^\"]*\""), ""));
  // The fourth attempt is refused before the password is even checked: the right one too.
  EXPECT_TRUE(login("ops@acme.example", acme_password_, &reply).empty());
  EXPECT_EQ(reply.status, 429);
  EXPECT_NE(reply.header("retry-after"), "");
  // Another user is not held back.
  EXPECT_FALSE(login("boss@example.com", admin_password_).empty());
  // A login form from another site (no cg_login cookie bound to its token) is refused.
  const HttpReply forged = call(
      "POST", "/portal/login", "",
      formEncode({{"csrf", "x"}, {"email", "boss@example.com"}, {"password", admin_password_}}));
  EXPECT_EQ(forged.status, 403);
  EXPECT_FALSE(cookieSet(forged, "cg_session").has_value());
}

TEST_F(PortalServerTest, TheLedgerCsvSumsToTheBalance) {
  for (int i = 0; i < 1205; ++i) db_.topup("acme", 1'000 + i, "CSV-" + std::to_string(i));
  const std::string session = login("ops@acme.example", acme_password_);
  const HttpReply csv = call("GET", "/portal/t/acme/ledger.csv", session);
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.header("content-disposition").find("ledger-acme.csv"), std::string::npos);
  // Sum the amount column exactly, in micro-units.
  std::int64_t sum = 0;
  int rows = 0;
  std::size_t start = csv.body.find("\r\n") + 2;
  while (start < csv.body.size()) {
    const std::size_t end = csv.body.find("\r\n", start);
    const std::string line = csv.body.substr(start, end - start);
    std::size_t a = 0;
    for (int field = 0; field < 3; ++field) a = line.find(',', a) + 1;
    const std::string amount = line.substr(a, line.find(',', a) - a);
    const std::size_t dot = amount.find('.');
    sum += std::stoll(amount.substr(0, dot)) * 1'000'000 + std::stoll(amount.substr(dot + 1));
    ++rows;
    start = end + 2;
  }
  EXPECT_EQ(rows, 1206);
  EXPECT_EQ(sum, db_.balance("acme"));
  EXPECT_EQ(call("GET", "/portal/t/acme/ledger.csv?from=2026-02-30", session).status, 400);
}

// Deliveries in every state, written as the relay would leave them: with the relay off, so that
// none of them moves while the pages are read.
class PortalDeliveryServerTest : public PortalServerTest {
 protected:
  PortalDeliveryServerTest() {
    plugin_extra_ = R"("notifications": {"relay": {"enabled": false}})";
  }

  std::string text(const std::string& sql) {
    pqxx::nontransaction txn(db_.connection());
    return txn.exec1(sql)[0].as<std::string>();
  }
};

TEST_F(PortalDeliveryServerTest, ATenantSeesEachChannelsDeliveryAndItsWebhookSecret) {
  const std::string admin = login("boss@example.com", admin_password_);
  ASSERT_FALSE(admin.empty());
  const std::string csrf = csrfIn(call("GET", "/portal/t/acme/", admin).body);

  // A contact the database refuses: 422 with its message, the form as it was sent, nothing saved.
  const HttpReply refused =
      call("POST", "/portal/t/acme/contacts", admin,
           formEncode({{"csrf", csrf},
                       {"contacts", "email:ops@acme.example\nwebhook:http://example.com/x"}}));
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.body.find("a webhook must use https"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("webhook:http://example.com/x</textarea>"), std::string::npos);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.tenant WHERE tenant_id = 'acme' "
                         "AND contacts = ARRAY['billing@acme.example']"),
            1);

  const std::string contacts =
      "email:ops@acme.example\nwebhook:https://hooks.acme.example/credit?token=QUERYSECRET\nhost";
  const HttpReply saved = call("POST", "/portal/t/acme/contacts", admin,
                               formEncode({{"csrf", csrf}, {"contacts", contacts}}));
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(saved.header("location"), "/portal/t/acme/?contacts=webhook");
  const HttpReply after = call("GET", saved.header("location"), admin);
  EXPECT_NE(after.body.find("Signing secret for https://hooks.acme.example/credit: see the <a "
                            "href=\"/portal/t/acme/notifications#channels\">"),
            std::string::npos)
      << after.body;
  // Saved again unchanged: no new webhook, no new secret.
  const HttpReply again = call("POST", "/portal/t/acme/contacts", admin,
                               formEncode({{"csrf", csrf}, {"contacts", contacts}}));
  EXPECT_EQ(again.header("location"), "/portal/t/acme/?contacts=saved");
  const std::string url = "https://hooks.acme.example/credit?token=QUERYSECRET";
  const std::string old_secret = text("SELECT secret FROM creditgate.webhook_secret");
  // A rotation with a day of overlap: both secrets are valid now, the old one until tomorrow.
  const std::string new_secret =
      text("SELECT creditgate.rotate_webhook_secret('acme', '" + url + "', 86400000)");
  ASSERT_NE(old_secret, new_secret);

  // Two events: the first delivered by email, retried to the webhook, failed to the host; the
  // second refused by the webhook with 410, which disabled it.
  const std::int64_t first = db_.queryInt(
      "INSERT INTO creditgate.outbox_event (tenant_id, type, payload, fanned_out_at) VALUES "
      "('acme', 'low_balance', '{\"balance_micros\": 90000000}', now()) RETURNING event_id");
  const std::int64_t second = db_.queryInt(
      "INSERT INTO creditgate.outbox_event (tenant_id, type, payload, fanned_out_at, sent_at) "
      "VALUES ('acme', 'depleted', '{}', now(), now()) RETURNING event_id");
  {
    pqxx::nontransaction txn(db_.connection());
    txn.exec_params(
        "INSERT INTO creditgate.notification_delivery (tenant_id, event_id, channel, kind, state, "
        "attempts, available_at, last_attempt_at, last_status, last_error, delivered_at) VALUES "
        "('acme', $1, 'email:ops@acme.example', 'email', 'delivered', 1, now(), "
        " '2026-11-30 12:03:00+00', 250, NULL, '2026-11-30 12:03:10+00'),"
        "('acme', $1, $3, 'webhook', 'pending', 3, '2026-11-30 12:10:00+00', "
        " '2026-11-30 12:05:00+00', 500, '<b>upstream</b> said no', NULL),"
        "('acme', $1, 'host', 'host', 'failed', 2, now(), now(), 1, "
        " 'notify(): gateway-internal-detail', NULL),"
        "('acme', $2, $3, 'webhook', 'disabled', 1, now(), now(), 410, 'HTTP 410', NULL)",
        first, second, "webhook:" + url);
    txn.exec_params(
        "UPDATE creditgate.webhook_endpoint SET disabled_at = '2026-11-30 12:20:00+00', "
        "disabled_reason = format('answered 410 to event %s', $1::bigint)",
        second);
  }
  const std::string e2 = std::to_string(second);

  const HttpReply page =
      call("GET", "/portal/t/acme/notifications", login("ops@acme.example", acme_password_));
  ASSERT_EQ(page.status, 200);
  const std::string& body = page.body;
  for (const std::string& shown :
       {std::string("Email to ops@acme.example: delivered <time datetime=\"2026-11-30T12:03:10Z\">"
                    "2026-11-30 12:03</time> UTC"),
        std::string("Webhook https://hooks.acme.example/credit: retrying — 3 attempts, last answer "
                    "HTTP 500, next try <time datetime=\"2026-11-30T12:10:00Z\">12:10</time> UTC"),
        std::string("&lt;b&gt;upstream&lt;/b&gt; said no"),
        std::string("Gateway notifier: failed after 2 attempts"),
        std::string(
            "Webhook https://hooks.acme.example/credit: endpoint disabled (it answered 410)"),
        std::string("<strong>disabled</strong> since <time datetime=\"2026-11-30T12:20:00Z\">"),
        std::string("(answered 410 to event " + e2 + ")"),
        "<code>" + new_secret + "</code> current", "<code>" + old_secret + "</code> valid until",
        std::string("webhook-signature")}) {
    EXPECT_NE(body.find(shown), std::string::npos) << shown << "\n" << body;
  }
  EXPECT_EQ(body.find("gateway-internal-detail"), std::string::npos);  // the host's error
  EXPECT_EQ(body.find("QUERYSECRET"), std::string::npos);              // the URL's query
  EXPECT_EQ(body.find("<b>upstream"), std::string::npos);
  // The admin sees the same secrets.
  const std::string admin_page = call("GET", "/portal/t/acme/notifications", admin).body;
  EXPECT_NE(admin_page.find(new_secret), std::string::npos);
  EXPECT_NE(admin_page.find(old_secret), std::string::npos);

  // Another tenant's user: the same 404 as for a tenant that does not exist, and no secret.
  const std::string chef = login(
      "chef@bistro.example", addPortalUser(db_.adminDsn(), "chef@bistro.example", "tenant:bistro"));
  ASSERT_FALSE(chef.empty());
  const HttpReply other = call("GET", "/portal/t/acme/notifications", chef);
  const HttpReply none = call("GET", "/portal/t/nobody/notifications", chef);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body, none.body);
  EXPECT_EQ(other.body.find(new_secret), std::string::npos);
  const HttpReply own = call("GET", "/portal/t/bistro/notifications", chef);
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body.find(new_secret), std::string::npos);
  // Its contact from before channels existed goes to the gateway's notifier.
  EXPECT_NE(own.body.find("<strong>Gateway notifier</strong> billing@bistro.example"),
            std::string::npos)
      << own.body;
}

}  // namespace
}  // namespace creditgate::testing
