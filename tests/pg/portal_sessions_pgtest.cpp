// Portal sessions (sql/019) against a real database, called as the portal's own login would call
// them (a member of creditgate_portal): login in two steps, each request's session check with its
// idle and absolute expiry, logout, logout everywhere, and every session of a user ended when the
// user is disabled or given a new password. The role can call these functions and nothing else.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "creditctl_fixture.hpp"
#include "password.hpp"

namespace creditgate::testing {
namespace {

using namespace std::chrono_literals;

struct SessionUser {
  std::string email, role;
};

class PortalSessionsTest : public CreditctlFixture {
 protected:
  void SetUp() override {
    CreditctlFixture::SetUp();
    pqxx::nontransaction txn(db_.connection());
    txn.exec_params("SELECT creditgate.add_portal_user($1, $2, $3)", "ops@acme.example",
                    "tenant:acme", server::hashPassword("acme password"));
    txn.exec_params("SELECT creditgate.add_portal_user($1, $2, $3)", "boss@example.com", "admin",
                    server::hashPassword("boss password"));
  }

  // A fresh token's digest, as hex (what the server keeps of the cookie it sets).
  static std::string newToken() {
    static int n = 0;
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", ++n);
    return hex;
  }

  std::optional<std::string> start(const std::string& email, const std::string& token,
                                   int idle_s = 600, int absolute_s = 3600) {
    pqxx::nontransaction txn(portal_);
    const pqxx::result r = txn.exec_params(
        "SELECT role FROM creditgate.portal_session_start($1, decode($2, 'hex'), "
        "$3, $4)",
        email, token, idle_s, absolute_s);
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::string>();
  }

  std::optional<SessionUser> user(const std::string& token, int idle_s = 600) {
    pqxx::nontransaction txn(portal_);
    const pqxx::result r = txn.exec_params(
        "SELECT email, role FROM creditgate.portal_session_user(decode($1, 'hex'), $2)", token,
        idle_s);
    if (r.empty()) return std::nullopt;
    return SessionUser{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
  }

  int failures(const std::string& email, int window_s = 300) {
    pqxx::nontransaction txn(portal_);
    return txn
        .exec_params1("SELECT recent_failures FROM creditgate.portal_login_lookup($1, $2)", email,
                      window_s)[0]
        .as<int>();
  }

  bool end(const std::string& token) {
    pqxx::nontransaction txn(portal_);
    return txn.exec_params1("SELECT creditgate.portal_session_end(decode($1, 'hex'))", token)[0]
        .as<bool>();
  }

  int endAll(const std::string& token) {
    pqxx::nontransaction txn(portal_);
    return txn.exec_params1("SELECT creditgate.portal_session_end_all(decode($1, 'hex'))", token)[0]
        .as<int>();
  }

  void loginFailed(const std::string& email) {
    pqxx::nontransaction txn(portal_);
    txn.exec_params("SELECT creditgate.portal_login_failed($1)", email);
  }

  pqxx::connection portal_{db_.portalDsn()};
};

TEST_F(PortalSessionsTest, LoginLookupGivesTheHashOfAnEnabledUserOnly) {
  pqxx::nontransaction txn(portal_);
  const pqxx::row known =
      txn.exec_params1("SELECT password_hash, role FROM creditgate.portal_login_lookup($1, 300)",
                       "OPS@acme.example");
  EXPECT_TRUE(server::passwordMatches(known[0].as<std::string>(), "acme password"));
  EXPECT_EQ(known[1].as<std::string>(), "tenant:acme");
  const pqxx::row unknown = txn.exec_params1(
      "SELECT password_hash, role FROM creditgate.portal_login_lookup($1, 300)", "who@example.com");
  EXPECT_TRUE(unknown[0].is_null());
  admin({"user", "disable", "ops@acme.example"});
  EXPECT_TRUE(txn.exec_params1("SELECT password_hash FROM creditgate.portal_login_lookup($1, 300)",
                               "ops@acme.example")[0]
                  .is_null());
}

TEST_F(PortalSessionsTest, ASessionKnowsItsUserUntilLogout) {
  const std::string token = newToken();
  EXPECT_EQ(start("Ops@Acme.example", token), "tenant:acme");
  const auto who = user(token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->email, "ops@acme.example");
  EXPECT_EQ(who->role, "tenant:acme");
  EXPECT_FALSE(user(newToken()));  // a token never issued

  EXPECT_TRUE(end(token));
  EXPECT_FALSE(user(token));
  EXPECT_FALSE(end(token));
  // The table keeps the digest, never a token the browser holds: here the digest is all there is.
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.portal_session WHERE ended_at IS NULL"),
            0);
}

TEST_F(PortalSessionsTest, IdleSessionsExpireAndUseKeepsThemOpenUntilTheAbsoluteExpiry) {
  const std::string idle = newToken();
  const std::string used = newToken();
  ASSERT_TRUE(start("ops@acme.example", idle, 1, 3));
  ASSERT_TRUE(start("ops@acme.example", used, 1, 3));
  // `used` is used every 0.5 s and stays open; `idle` is not and closes after 1 s.
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(500ms);
    EXPECT_TRUE(user(used, 1)) << "use " << i;
  }
  EXPECT_FALSE(user(idle, 1));
  // However often it is used, a session ends at its absolute expiry (3 s after its start).
  for (int i = 0; i < 3 && user(used, 1); ++i) std::this_thread::sleep_for(500ms);
  std::this_thread::sleep_for(600ms);
  EXPECT_FALSE(user(used, 1));
}

TEST_F(PortalSessionsTest, LogoutEverywhereEndsEverySessionOfThatUserOnly) {
  const std::string laptop = newToken(), phone = newToken(), boss = newToken();
  ASSERT_TRUE(start("ops@acme.example", laptop));
  ASSERT_TRUE(start("ops@acme.example", phone));
  ASSERT_TRUE(start("boss@example.com", boss));
  EXPECT_EQ(endAll(phone), 2);
  EXPECT_FALSE(user(laptop));
  EXPECT_FALSE(user(phone));
  EXPECT_TRUE(user(boss));
  EXPECT_EQ(endAll(phone), 0);  // an ended token ends nothing more
}

TEST_F(PortalSessionsTest, ANewPasswordOrADisabledUserEndsTheirSessions) {
  const std::string first = newToken(), second = newToken(), boss = newToken();
  ASSERT_TRUE(start("ops@acme.example", first));
  ASSERT_TRUE(start("boss@example.com", boss));
  ASSERT_EQ(admin({"user", "reset", "ops@acme.example"}).exit_code, 0);
  EXPECT_FALSE(user(first));
  EXPECT_TRUE(user(boss));

  ASSERT_TRUE(start("ops@acme.example", second));
  ASSERT_EQ(admin({"user", "disable", "ops@acme.example"}).exit_code, 0);
  EXPECT_FALSE(user(second));
  EXPECT_FALSE(start("ops@acme.example", newToken()));  // a disabled user gets no session
}

TEST_F(PortalSessionsTest, AnAdminsPasswordResetLiftsTheLoginLimit) {
  for (int i = 0; i < 5; ++i) loginFailed("ops@acme.example");
  loginFailed("boss@example.com");
  ASSERT_EQ(admin({"user", "reset", "ops@acme.example"}).exit_code, 0);
  EXPECT_EQ(failures("ops@acme.example"), 0);  // the new password works at once
  EXPECT_EQ(failures("boss@example.com"), 1);  // nobody else's count moves
}

TEST_F(PortalSessionsTest, FailedLoginsAreCountedPerEmailAndForgottenOnSuccess) {
  for (int i = 0; i < 3; ++i) loginFailed("OPS@acme.example");
  loginFailed("who@example.com");  // an unknown address is limited too
  EXPECT_EQ(failures("ops@acme.example"), 3);
  EXPECT_EQ(failures("who@example.com"), 1);
  EXPECT_EQ(failures("boss@example.com"), 0);
  ASSERT_TRUE(start("ops@acme.example", newToken()));
  EXPECT_EQ(failures("ops@acme.example"), 0);
}

TEST_F(PortalSessionsTest, BadArgumentsAreRefusedNamingThem) {
  EXPECT_EQ(sqlstateAs(db_.portalDsn(),
                       "SELECT creditgate.portal_session_user(decode('abcd', 'hex'), 600)"),
            "22023");
  EXPECT_EQ(sqlstateAs(db_.portalDsn(),
                       "SELECT creditgate.portal_session_start('ops@acme.example', "
                       "decode(repeat('ab', 32), 'hex'), 0, 10)"),
            "22023");
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.portal_session"), 0);
}

// The portal's login reaches users and sessions only through these functions: no table, no
// admin function, no money function.
TEST_F(PortalSessionsTest, ThePortalLoginCanCallItsFunctionsAndNothingElse) {
  for (const char* sql :
       {"SELECT * FROM creditgate.portal_user", "SELECT * FROM creditgate.portal_session",
        "SELECT * FROM creditgate.portal_login_failure", "SELECT * FROM creditgate.tenant",
        "SELECT * FROM creditgate.ledger_entry", "SELECT * FROM creditgate.portal_topup",
        "SELECT creditgate.disable_portal_user('ops@acme.example')",
        "SELECT creditgate.topup('acme', 1, 'R', NULL)",
        "SELECT creditgate.portal_admin_email(decode(repeat('00', 32), 'hex'))",
        "SELECT * FROM creditgate.api_key_digest('abcdefghijkl')"}) {
    EXPECT_EQ(sqlstateAs(db_.portalDsn(), sql), "42501") << sql;
  }
  pqxx::nontransaction txn(db_.connection());
  const pqxx::result callable = txn.exec(
      "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
      "WHERE n.nspname = 'creditgate' AND has_function_privilege('creditgate_test_portal', p.oid, "
      "'EXECUTE') ORDER BY 1");
  std::string names;
  for (const auto& row : callable) names += std::string(row[0].c_str()) + " ";
  EXPECT_EQ(names,
            "portal_account portal_add_tenant portal_batches portal_deliveries portal_ledger "
            "portal_login_failed portal_login_lookup portal_notifications portal_session_end "
            "portal_session_end_all portal_session_start portal_session_user portal_set_contacts "
            "portal_spend portal_tenant_info portal_tenants portal_top_up portal_webhooks ");
  // Admins see who is logged in, never a token's digest.
  EXPECT_EQ(sqlstateAs(db_.adminDsn(), "SELECT token_sha256 FROM creditgate.portal_session"),
            "42501");
  EXPECT_EQ(sqlstateAs(db_.adminDsn(), "SELECT email, last_seen_at FROM creditgate.portal_session"),
            "");
}

}  // namespace
}  // namespace creditgate::testing
