// The host API's balanceLevelOf, the one definition of balance()'s level (the plugin's balance()
// uses it on the TenantPolicy it resolves): the comparison of note_balance_fall (sql/009), so a
// host shows the level the ledger's low-balance events are about.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "creditgate/host_api.hpp"

namespace creditgate {
namespace {

using api::BalanceLevel;
using api::balanceLevelOf;

// A policy with just these thresholds (unset: that level is off).
constexpr api::TenantPolicy thresholds(std::optional<std::int64_t> warning,
                                       std::optional<std::int64_t> critical) {
  api::TenantPolicy policy;
  policy.warning_threshold_set = warning.has_value();
  policy.warning_threshold_micros = warning.value_or(0);
  policy.critical_threshold_set = critical.has_value();
  policy.critical_threshold_micros = critical.value_or(0);
  return policy;
}

constexpr api::TenantPolicy kBoth = thresholds(1'000'000, 200'000);  // warning 1.00, critical 0.20
constexpr api::TenantPolicy kNone = thresholds(std::nullopt, std::nullopt);

// A host may use it in constant expressions.
static_assert(balanceLevelOf(999'999, kBoth) == BalanceLevel::warning);
static_assert(balanceLevelOf(0, kNone) == BalanceLevel::depleted);

TEST(BalanceLevelOf, EachLevelFiresStrictlyBelowItsThreshold) {
  EXPECT_EQ(balanceLevelOf(1'000'001, kBoth), BalanceLevel::ok);
  EXPECT_EQ(balanceLevelOf(1'000'000, kBoth), BalanceLevel::ok);  // at it: not below
  EXPECT_EQ(balanceLevelOf(999'999, kBoth), BalanceLevel::warning);
  EXPECT_EQ(balanceLevelOf(200'001, kBoth), BalanceLevel::warning);
  EXPECT_EQ(balanceLevelOf(200'000, kBoth), BalanceLevel::warning);
  EXPECT_EQ(balanceLevelOf(199'999, kBoth), BalanceLevel::critical);
  EXPECT_EQ(balanceLevelOf(1, kBoth), BalanceLevel::critical);
  EXPECT_EQ(balanceLevelOf(std::numeric_limits<std::int64_t>::max(), kBoth), BalanceLevel::ok);
}

TEST(BalanceLevelOf, DepletedAtZeroAndBelowWhateverTheThresholds) {
  EXPECT_EQ(balanceLevelOf(0, kBoth), BalanceLevel::depleted);
  EXPECT_EQ(balanceLevelOf(-5, kBoth), BalanceLevel::depleted);
  EXPECT_EQ(balanceLevelOf(0, kNone), BalanceLevel::depleted);
  EXPECT_EQ(balanceLevelOf(std::numeric_limits<std::int64_t>::min(), kNone),
            BalanceLevel::depleted);
  EXPECT_EQ(balanceLevelOf(1, kNone), BalanceLevel::ok);
  // A threshold at or below zero never hides depleted.
  EXPECT_EQ(balanceLevelOf(0, thresholds(0, 0)), BalanceLevel::depleted);
  EXPECT_EQ(balanceLevelOf(1, thresholds(1, 1)), BalanceLevel::ok);
}

TEST(BalanceLevelOf, AnUnsetThresholdIsOffWhateverItsValue) {
  EXPECT_EQ(balanceLevelOf(5, thresholds(1'000'000, std::nullopt)), BalanceLevel::warning);
  EXPECT_EQ(balanceLevelOf(5, thresholds(std::nullopt, 1'000'000)), BalanceLevel::critical);
  EXPECT_EQ(balanceLevelOf(2'000'000, thresholds(std::nullopt, 1'000'000)), BalanceLevel::ok);
  // The value of an unset threshold is ignored: only the _set flag turns a level on.
  api::TenantPolicy stale = kNone;
  stale.warning_threshold_micros = 1'000'000;
  stale.critical_threshold_micros = 500'000;
  EXPECT_EQ(balanceLevelOf(5, stale), BalanceLevel::ok);
}

// A tenant's own warning may sit below the default critical (each field overrides on its own):
// the most severe level the balance is below wins.
TEST(BalanceLevelOf, MostSevereWinsWhenAWarningIsBelowTheCritical) {
  const api::TenantPolicy crossed = thresholds(100'000, 500'000);
  EXPECT_EQ(balanceLevelOf(50'000, crossed), BalanceLevel::critical);
  EXPECT_EQ(balanceLevelOf(300'000, crossed), BalanceLevel::critical);
  EXPECT_EQ(balanceLevelOf(500'000, crossed), BalanceLevel::ok);
  EXPECT_EQ(balanceLevelOf(600'000, crossed), BalanceLevel::ok);
}

// Nothing else in a TenantPolicy changes the level: not found, categories, outage policy.
TEST(BalanceLevelOf, OnlyTheThresholdsCount) {
  api::TenantPolicy policy = kBoth;
  policy.found = true;
  policy.reason = api::Reason::ok;
  policy.category_count = 1;
  policy.categories[0].on_insufficient_credit = api::CreditPolicy::flag;
  policy.categories[0].overdraft_limit_micros = 5'000'000;
  for (const std::int64_t balance : {-1, 0, 1, 199'999, 200'000, 999'999, 1'000'000}) {
    EXPECT_EQ(balanceLevelOf(balance, policy), balanceLevelOf(balance, kBoth)) << balance;
  }
}

TEST(CreditPolicyName, NamesEachPolicyAsTheConfigSpellsIt) {
  static_assert(std::string_view(api::creditPolicyName(api::CreditPolicy::block)) == "block");
  EXPECT_STREQ(api::creditPolicyName(api::CreditPolicy::block), "block");
  EXPECT_STREQ(api::creditPolicyName(api::CreditPolicy::flag), "flag");
  EXPECT_STREQ(api::creditPolicyName(api::CreditPolicy::partial), "partial");
  EXPECT_EQ(static_cast<int>(api::CreditPolicy::block), 0);
  EXPECT_EQ(static_cast<int>(api::CreditPolicy::flag), 1);
  EXPECT_EQ(static_cast<int>(api::CreditPolicy::partial), 2);
}

TEST(CreditPolicyName, IsNeverNullForAnOutOfRangeValue) {
  EXPECT_STREQ(api::creditPolicyName(static_cast<api::CreditPolicy>(3)), "unknown");
  EXPECT_STREQ(api::creditPolicyName(static_cast<api::CreditPolicy>(255)), "unknown");
}

}  // namespace
}  // namespace creditgate
