// The top-up limits (issue 11, item 13): one top-up and the balance a top-up may reach are capped
// by limits kept in the database (creditgate.topup_limits), shown and changed with creditctl
// limits. The real binary as an admin runs it; every refusal leaves balance and ledger as they
// were.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "creditctl_fixture.hpp"
#include "creditctl_runner.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;


// 2^53: from here on a double (a JavaScript number, jq) no longer holds every integer.
constexpr std::int64_t kTwoToThe53 = std::int64_t{1} << 53;

class CreditctlLimitsTest : public CreditctlFixture {
 protected:
  struct Money {
    std::int64_t balance, ledger_sum, entries;
    bool operator==(const Money&) const = default;
  };
  Money money() { return {db_.balance("acme"), db_.ledgerSum("acme"), db_.count("ledger_entry")}; }

  struct Limits {
    std::string max_topup_micros, max_balance_micros;
    bool operator==(const Limits&) const = default;
  };
  Limits limits() {
    pqxx::nontransaction txn(db_.connection());
    const pqxx::row row = txn.exec1(
        "SELECT max_topup_micros::text, max_balance_micros::text FROM creditgate.topup_limits");
    return {row[0].as<std::string>(), row[1].as<std::string>()};
  }
};

TEST_F(CreditctlLimitsTest, TopUpAboveTheLimitForOneTopUpExitsTwoNamingTheLimitAndWritesNothing) {
  const Money before = money();
  const CtlResult run = admin({"topup", "acme", "9000000000000", "--ref", "typo"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("top-up 9000000000000.000000 EUR exceeds the limit for one "
                                 "top-up, 1000000000.000000 EUR (creditctl limits)"));
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(money(), before);
}

TEST_F(CreditctlLimitsTest, TheLargestInt64AmountExitsTwoWithTheLimitAndNoBigintOverflow) {
  db_.topup("acme", 5'000'000, "seed");
  const Money before = money();
  const CtlResult run = admin({"topup", "acme", "9223372036854.775807", "--ref", "max"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("top-up 9223372036854.775807 EUR exceeds the limit for one "
                                 "top-up, 1000000000.000000 EUR"));
  EXPECT_THAT(run.err, Not(HasSubstr("out of range")));
  EXPECT_EQ(money(), before);
}

TEST_F(CreditctlLimitsTest, TopUpsMayFillTheBalanceToItsLimitButNotOneMicroUnitPast) {
  // The default balance limit is 9 000 000 000 units: nine top-ups of the largest allowed size.
  for (int i = 0; i < 9; ++i) {
    const CtlResult run =
        admin({"topup", "acme", "1000000000", "--ref", "big-" + std::to_string(i)});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  EXPECT_EQ(db_.balance("acme"), 9'000'000'000'000'000);
  const Money before = money();
  const CtlResult run = admin({"topup", "acme", "0.000001", "--ref", "one-more"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("top-up 0.000001 EUR would take the balance of acme from "
                                 "9000000000.000000 EUR to 9000000000.000001 EUR, above the "
                                 "balance limit of 9000000000.000000 EUR (creditctl limits)"));
  EXPECT_EQ(money(), before);

  // What a JSON reader sees of the largest balance: exact, as a string beside the decimal.
  const CtlResult balance = admin({"balance", "acme", "--json"});
  ASSERT_EQ(balance.exit_code, 0) << balance.err;
  const boost::json::object json = boost::json::parse(balance.out).as_object();
  EXPECT_EQ(json.at("balance").as_string(), "9000000000.000000");
  EXPECT_EQ(json.at("balance_micros").as_string(), "9000000000000000");
}

TEST_F(CreditctlLimitsTest, DefaultLimitsKeepEveryBalanceBelowTwoToThe53MicroUnits) {
  const CtlResult text = admin({"limits"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("one top-up   1000000000.000000\n"));
  EXPECT_THAT(text.out, HasSubstr("balance      9000000000.000000\n"));

  const CtlResult run = admin({"limits", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = boost::json::parse(run.out).as_object();
  EXPECT_EQ(json.at("max_topup").as_string(), "1000000000.000000");
  EXPECT_EQ(json.at("max_topup_micros").as_string(), "1000000000000000");
  EXPECT_EQ(json.at("max_balance").as_string(), "9000000000.000000");
  EXPECT_EQ(json.at("max_balance_micros").as_string(), "9000000000000000");
  EXPECT_LT(std::stoll(std::string(json.at("max_balance_micros").as_string())), kTwoToThe53);
}

TEST_F(CreditctlLimitsTest, LimitsSetChangesTheLimitsEveryTopUpObeys) {
  const CtlResult set = admin({"limits", "set", "--max-topup", "100", "--max-balance", "150.5"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_THAT(set.out, HasSubstr("one top-up 100.000000, balance 150.500000"));
  EXPECT_EQ(limits(), (Limits{"100000000", "150500000"}));

  const CtlResult too_big = admin({"topup", "acme", "100.000001", "--ref", "a"});
  EXPECT_EQ(too_big.exit_code, 2) << too_big.err;
  EXPECT_THAT(too_big.err, HasSubstr("the limit for one top-up, 100.000000 EUR"));
  EXPECT_EQ(admin({"topup", "acme", "100", "--ref", "b"}).exit_code, 0);
  EXPECT_EQ(admin({"topup", "acme", "50.5", "--ref", "c"}).exit_code, 0);
  const Money full = money();
  const CtlResult over = admin({"topup", "acme", "0.000001", "--ref", "d"});
  EXPECT_EQ(over.exit_code, 2) << over.err;
  EXPECT_THAT(over.err, HasSubstr("above the balance limit of 150.500000 EUR"));
  EXPECT_EQ(money(), full);
  EXPECT_EQ(db_.balance("acme"), 150'500'000);

  // One limit alone keeps the other.
  ASSERT_EQ(admin({"limits", "set", "--max-balance", "1000"}).exit_code, 0);
  EXPECT_EQ(limits(), (Limits{"100000000", "1000000000"}));
  const CtlResult json = admin({"limits", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const boost::json::object o = boost::json::parse(json.out).as_object();
  EXPECT_EQ(o.at("max_balance").as_string(), "1000.000000");
  EXPECT_EQ(o.at("changed_by").as_string(), "creditgate_test_admin");
}

TEST_F(CreditctlLimitsTest, LimitsSetRefusesBadLimitsWithExitTwoAndChangesNothing) {
  const Limits before = limits();
  for (const auto& [args, mentions] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"limits", "set"}, "--max-topup or --max-balance"},
           {{"limits", "set", "--max-topup", "0"}, "--max-topup '0'"},
           {{"limits", "set", "--max-topup", "-1"}, "--max-topup '-1'"},
           {{"limits", "set", "--max-balance", "1e9"}, "--max-balance '1e9'"},
           {{"limits", "set", "--max-balance", "0.0000001"}, "--max-balance '0.0000001'"},
           {{"limits", "set", "--max-topup", "5", "extra"}, "too many arguments"}}) {
    // Checked before connecting: the DSN points nowhere, so exit 2 (not 3) says no connection.
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 2) << mentions << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(mentions));
  }
  // What a sane pair of limits is, set_topup_limits says (one place for the rule), also against
  // the limit already in force.
  for (const auto& [args, mentions] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"limits", "set", "--max-balance", "9007199254.740992"},
            "the balance limit, 9007199254.740992, cannot be above 9007199254.740991"},
           {{"limits", "set", "--max-topup", "200", "--max-balance", "100"},
            "the limit for one top-up, 200.000000, cannot be above the balance limit, 100.000000"},
           {{"limits", "set", "--max-topup", "9000000001"},
            "the limit for one top-up, 9000000001.000000, cannot be above the balance limit, "
            "9000000000.000000"}}) {
    const CtlResult run = admin(args);
    EXPECT_EQ(run.exit_code, 2) << mentions << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(mentions));
  }
  EXPECT_EQ(limits(), before);
}

TEST_F(CreditctlLimitsTest, LimitsSetNeedsTheAdminRole) {
  const Limits before = limits();
  const CtlResult run =
      ctl({"limits", "set", "--max-topup", "1", "--max-balance", "1"}, db_.pluginDsn());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_THAT(run.err, HasSubstr("permission denied"));
  EXPECT_EQ(limits(), before);
}

TEST_F(CreditctlLimitsTest, ARetriedTopUpStillReplaysAfterTheLimitsWereLowered) {
  ASSERT_EQ(admin({"topup", "acme", "100", "--ref", "inv-1"}).exit_code, 0);
  ASSERT_EQ(admin({"limits", "set", "--max-topup", "10", "--max-balance", "50"}).exit_code, 0);
  const Money before = money();
  const CtlResult again = admin({"topup", "acme", "100", "--ref", "inv-1"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("was already applied"));
  EXPECT_EQ(money(), before);
}

TEST_F(CreditctlLimitsTest, UnreachableDatabaseExitsThreeForLimits) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"limits"}, {"limits", "set", "--max-topup", "5"}}) {
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 3) << args.size() << ": " << run.err;
    EXPECT_THAT(run.out + run.err, Not(HasSubstr(kSentinel)));
  }
}

}  // namespace
}  // namespace creditgate::testing
