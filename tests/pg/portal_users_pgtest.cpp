// Portal users end to end: creditctl user (the real binary, as an admin) makes, resets, disables
// and lists them against a real database, which keeps an Argon2id hash that verifies the printed
// password (server/auth/password.hpp) and never the password itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <pqxx/pqxx>
#include <regex>
#include <string>
#include <vector>

#include "creditctl_fixture.hpp"
#include "password.hpp"

namespace creditgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PortalUsersTest : public CreditctlFixture {
 protected:
  // The password a creditctl run printed (its indented line), or "" after a test failure.
  static std::string printedPassword(const CtlResult& run) {
    std::smatch match;
    if (!std::regex_search(run.out, match, std::regex("\n    ([A-Za-z0-9]{20})\n"))) {
      ADD_FAILURE() << "no password in: " << run.out;
      return "";
    }
    return match[1].str();
  }

  std::string storedHash(const std::string& email) {
    pqxx::nontransaction read(db_.connection());
    return read
        .exec_params1("SELECT password_hash FROM creditgate.portal_user WHERE email = $1", email)[0]
        .as<std::string>();
  }
};

TEST_F(PortalUsersTest, AddPrintsAPasswordOnceAndTheDatabaseKeepsOnlyItsArgon2idHash) {
  const CtlResult run = admin({"user", "add", "Ops@Acme.Example", "--role", "tenant:acme"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("Portal user ops@acme.example created: role tenant:acme"));
  EXPECT_THAT(run.out, HasSubstr("it cannot be shown again"));
  const std::string password = printedPassword(run);

  const std::string hash = storedHash("ops@acme.example");  // kept lowercased
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(hash.find(password), std::string::npos);
  EXPECT_TRUE(server::passwordMatches(hash, password));
  EXPECT_FALSE(server::passwordMatches(hash, password + "x"));

  // The same address in other letters is the same user.
  const CtlResult again = admin({"user", "add", "ops@acme.example", "--role", "admin"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("a portal user 'ops@acme.example' already exists"));
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.portal_user"), 1);
}

TEST_F(PortalUsersTest, AddWithJsonGivesThePasswordAndANotice) {
  const CtlResult run = admin({"user", "add", "boss@example.com", "--role", "admin", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = boost::json::parse(run.out).as_object();
  EXPECT_EQ(json.at("email").as_string(), "boss@example.com");
  EXPECT_EQ(json.at("role").as_string(), "admin");
  EXPECT_THAT(std::string(json.at("notice").as_string()), HasSubstr("only time"));
  EXPECT_TRUE(server::passwordMatches(storedHash("boss@example.com"),
                                      std::string(json.at("password").as_string())));
}

TEST_F(PortalUsersTest, BadArgumentsAreRefusedNamingThemAndNothingIsWritten) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"user", "add", "not-an-address", "--role", "admin"}, 2, "EMAIL 'not-an-address' must be"},
      {{"user", "add", "a@b", "--role", "admin"}, 2, "EMAIL 'a@b' must be"},
      {{"user", "add", "a b@example.com", "--role", "admin"}, 2, "EMAIL 'a b@example.com'"},
      {{"user", "add", "ops@example.com", "--role", "gateway"},
       2,
       "--role 'gateway' must be admin or tenant:<tenant id>"},
      {{"user", "add", "ops@example.com", "--role", "tenant:"}, 2, "--role 'tenant:'"},
      {{"user", "add", "ops@example.com"}, 2, "--role"},
      {{"user", "add", "ops@example.com", "--role", "tenant:ghost"},
       1,
       "--role 'tenant:ghost' names an unknown tenant 'ghost'"},
  };
  for (const Case& c : cases) {
    const CtlResult run = admin(c.args);
    EXPECT_EQ(run.exit_code, c.exit_code) << run.err;
    EXPECT_THAT(run.err, HasSubstr(c.message));
    EXPECT_EQ(run.out, "");
  }
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.portal_user"), 0);
}

TEST_F(PortalUsersTest, ResetGivesANewPasswordAndTheOldOneStopsWorking) {
  const std::string first =
      printedPassword(admin({"user", "add", "ops@acme.example", "--role", "tenant:acme"}));
  const CtlResult reset = admin({"user", "reset", "OPS@acme.example"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_THAT(reset.out, HasSubstr("has a new password; the old one no longer works"));
  const std::string second = printedPassword(reset);
  EXPECT_NE(first, second);
  EXPECT_TRUE(server::passwordMatches(storedHash("ops@acme.example"), second));
  EXPECT_FALSE(server::passwordMatches(storedHash("ops@acme.example"), first));

  const CtlResult unknown = admin({"user", "reset", "nobody@acme.example"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown portal user 'nobody@acme.example'"));
}

TEST_F(PortalUsersTest, DisableIsKeptThroughAResetAndSaidWhenRepeated) {
  admin({"user", "add", "ops@acme.example", "--role", "tenant:acme"});
  const CtlResult run = admin({"user", "disable", "ops@acme.example"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("Portal user ops@acme.example (role tenant:acme) disabled at "));
  EXPECT_THAT(admin({"user", "disable", "ops@acme.example"}).out,
              HasSubstr("was already disabled"));
  EXPECT_THAT(admin({"user", "reset", "ops@acme.example"}).out,
              HasSubstr("(the user stays disabled)"));
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.portal_user WHERE disabled_at IS NULL"),
            0);
  EXPECT_EQ(admin({"user", "disable", "nobody@acme.example"}).exit_code, 1);
}

TEST_F(PortalUsersTest, ListShowsEveryUserButNoPasswordNorHash) {
  const std::string password =
      printedPassword(admin({"user", "add", "ops@acme.example", "--role", "tenant:acme"}));
  admin({"user", "add", "boss@example.com", "--role", "admin"});
  admin({"user", "disable", "boss@example.com"});
  const CtlResult text = admin({"user", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("Portal users: 2 (1 active, 1 disabled)"));
  EXPECT_THAT(text.out, HasSubstr("ops@acme.example"));
  EXPECT_THAT(text.out, HasSubstr("tenant:acme"));
  const CtlResult json = admin({"user", "list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const boost::json::object list = boost::json::parse(json.out).as_object();
  EXPECT_EQ(list.at("count").as_int64(), 2);
  EXPECT_EQ(list.at("disabled").as_int64(), 1);
  for (const CtlResult& run : {text, json}) {
    EXPECT_THAT(run.out, Not(HasSubstr(password)));
    EXPECT_THAT(run.out, Not(HasSubstr("argon2")));
  }
}

// The admin login reads every column but the hash, and changes users only through the functions;
// the plugin's and the server's logins cannot touch portal users at all.
TEST_F(PortalUsersTest, OnlyAdminsManageUsersAndNoLoginReadsAHash) {
  admin({"user", "add", "ops@acme.example", "--role", "tenant:acme"});
  const std::string hash = server::hashPassword("x");
  EXPECT_EQ(sqlstateAs(db_.adminDsn(), "SELECT password_hash FROM creditgate.portal_user"),
            "42501");
  EXPECT_EQ(sqlstateAs(db_.adminDsn(), "SELECT email, role FROM creditgate.portal_user"), "");
  EXPECT_EQ(sqlstateAs(db_.adminDsn(), "UPDATE creditgate.portal_user SET role = 'admin'"),
            "42501");
  for (const std::string& dsn : {db_.pluginDsn(), db_.serverDsn()}) {
    EXPECT_EQ(sqlstateAs(dsn, "SELECT email FROM creditgate.portal_user"), "42501");
    EXPECT_EQ(sqlstateAs(dsn, "SELECT creditgate.add_portal_user('x@example.com', 'admin', '" +
                                  hash + "')"),
              "42501");
    EXPECT_EQ(sqlstateAs(dsn, "SELECT creditgate.disable_portal_user('ops@acme.example')"),
              "42501");
  }
  // Whoever calls the function, a hash that is not Argon2id is refused, naming the argument.
  EXPECT_EQ(sqlstateAs(db_.adminDsn(),
                       "SELECT creditgate.add_portal_user('y@example.com', 'admin', 'hunter2')"),
            "22023");
}

}  // namespace
}  // namespace creditgate::testing
