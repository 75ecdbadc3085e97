// The billing portal through a database outage longer than every timer it has (the statement
// timeout, the connect timeout, a session's idle expiry is not among them: it is in the database):
// pages answer 503 with Retry-After and say what a user can do, a form sent meanwhile is not
// claimed to be saved or unsaved, and when the database is back the same session goes on, with
// nothing lost or doubled.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "portal_client.hpp"
#include "server_fixture.hpp"
#include "tcp_proxy.hpp"

namespace creditgate::testing {
namespace {

class PortalOutageTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    db_.addTenant("acme", "EUR", 100'000'000);
    admin_password_ = addPortalUser(db_.adminDsn(), "boss@example.com", "admin");
    const std::string dsn = std::getenv("CREDITGATE_TEST_PG");
    proxy_ = std::make_unique<TcpProxy>(std::atoi(dsn.c_str() + dsn.rfind("port=") + 5));
    // Only the portal's database login goes through the proxy: its outage, nothing else's.
    extra_members_ = "\"portal\": {\"database_dsn\": \"" +
                     jsonEscaped(db_.portalDsn() + " port=" + std::to_string(proxy_->port()) +
                                 " connect_timeout=1") +
                     "\", \"statement_timeout_ms\": 1000}";
    startServer(R"({"on_insufficient_credit": "block"})");
  }

  HttpReply call(const std::string& method, const std::string& target, const std::string& cookie,
                 const std::string& form = "") {
    return portalCall(server_->port(), method, target, cookie, form);
  }
  std::string login() { return portalLogin(server_->port(), "boss@example.com", admin_password_); }

  std::string admin_password_;
  std::unique_ptr<TcpProxy> proxy_;
};

TEST_F(PortalOutageTest, PagesAnswer503ThroughAMinuteOfOutageAndTheSessionGoesOnAfter) {
  const std::string session = login();
  const HttpReply before = call("GET", "/portal/t/acme/", session);
  ASSERT_EQ(before.status, 200);
  const std::string csrf = csrfIn(before.body);

  proxy_->setMode(TcpProxy::Mode::refuse);
  const auto start = std::chrono::steady_clock::now();
  int pages = 0;
  // Longer than the statement and connect timeouts many times over: a page every few seconds.
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(65)) {
    const HttpReply down = call("GET", "/portal/t/acme/ledger", session);
    EXPECT_EQ(down.status, 503);
    EXPECT_EQ(down.header("retry-after"), "5");
    EXPECT_NE(down.body.find("Nothing was changed"), std::string::npos);
    ++pages;
    std::this_thread::sleep_for(std::chrono::seconds(5));
  }
  EXPECT_GE(pages, 10);
  const HttpReply form = call("POST", "/portal/t/acme/topup", session,
                              formEncode({{"csrf", csrf}, {"amount", "5"}, {"reference", "OUT-1"}}));
  EXPECT_EQ(form.status, 503);
  EXPECT_NE(form.body.find("not known whether this form was saved"), std::string::npos);
  EXPECT_NE(server_->stderrText().find("billing portal: pages answer 503"), std::string::npos);

  proxy_->setMode(TcpProxy::Mode::forward);
  // Back: the same session, the first page after the outage (a broken pooled connection is
  // replaced and the read tried again on a fresh one).
  const HttpReply after = call("GET", "/portal/t/acme/", session);
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.body.find("100.00 EUR"), std::string::npos);
  const HttpReply top_up =
      call("POST", "/portal/t/acme/topup", session,
           formEncode({{"csrf", csrf}, {"amount", "5"}, {"reference", "OUT-1"}}));
  EXPECT_EQ(top_up.status, 303);
  EXPECT_EQ(db_.balance("acme"), 105'000'000);
  EXPECT_EQ(db_.balance("acme"), db_.ledgerSum("acme"));
}

}  // namespace
}  // namespace creditgate::testing
