// balance()'s level: the comparison of note_balance_fall (sql/009), so a host shows the level the
// ledger's low-balance events are about.
#include "balance_level.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace creditgate {
namespace {

constexpr AlertThresholds kBoth{1'000'000, 200'000};  // warning 1.00, critical 0.20

TEST(BalanceLevel, EachLevelFiresStrictlyBelowItsThreshold) {
  EXPECT_EQ(balanceLevel(1'000'001, kBoth), api::BalanceLevel::ok);
  EXPECT_EQ(balanceLevel(1'000'000, kBoth), api::BalanceLevel::ok);  // at it: not below
  EXPECT_EQ(balanceLevel(999'999, kBoth), api::BalanceLevel::warning);
  EXPECT_EQ(balanceLevel(200'000, kBoth), api::BalanceLevel::warning);
  EXPECT_EQ(balanceLevel(199'999, kBoth), api::BalanceLevel::critical);
  EXPECT_EQ(balanceLevel(1, kBoth), api::BalanceLevel::critical);
}

TEST(BalanceLevel, DepletedAtZeroAndBelowWhateverTheThresholds) {
  EXPECT_EQ(balanceLevel(0, kBoth), api::BalanceLevel::depleted);
  EXPECT_EQ(balanceLevel(-5, kBoth), api::BalanceLevel::depleted);
  EXPECT_EQ(balanceLevel(0, AlertThresholds{}), api::BalanceLevel::depleted);
  EXPECT_EQ(balanceLevel(std::numeric_limits<std::int64_t>::min(), AlertThresholds{}),
            api::BalanceLevel::depleted);
  EXPECT_EQ(balanceLevel(1, AlertThresholds{}), api::BalanceLevel::ok);
}

TEST(BalanceLevel, AnUnsetThresholdIsOff) {
  EXPECT_EQ(balanceLevel(5, AlertThresholds{1'000'000, std::nullopt}), api::BalanceLevel::warning);
  EXPECT_EQ(balanceLevel(5, AlertThresholds{std::nullopt, 1'000'000}), api::BalanceLevel::critical);
  EXPECT_EQ(balanceLevel(2'000'000, AlertThresholds{std::nullopt, 1'000'000}),
            api::BalanceLevel::ok);
}

// A tenant's own warning may sit below the default critical (each field overrides on its own):
// the most severe level the balance is below wins.
TEST(BalanceLevel, MostSevereWinsWhenAWarningIsBelowTheCritical) {
  const AlertThresholds crossed{100'000, 500'000};
  EXPECT_EQ(balanceLevel(50'000, crossed), api::BalanceLevel::critical);
  EXPECT_EQ(balanceLevel(300'000, crossed), api::BalanceLevel::critical);
  EXPECT_EQ(balanceLevel(600'000, crossed), api::BalanceLevel::ok);
}

}  // namespace
}  // namespace creditgate
