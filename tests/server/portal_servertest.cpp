// The billing portal served by a real creditgate-server over a real database, spoken to as a
// browser speaks (cookies, forms, redirects) but without one: what every page and download answers
// for the right session, another tenant's session, no session, an ended session, a forged form and
// a guessed password. tests/browser drives the same pages in Chromium.
#include <gtest/gtest.h>

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
    startServer(R"({"on_insufficient_credit": "block"})");
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

}  // namespace
}  // namespace creditgate::testing
