#include "market_table.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace creditgate {
namespace {

constexpr MarketIndex kNorthAmerica = 0;
constexpr MarketIndex kLatinAmerica = 1;
constexpr MarketIndex kUnitedKingdom = 2;
constexpr MarketIndex kOther = 9;

MarketTable sampleTable() {
  return MarketTable({{"1", kNorthAmerica}, {"1809", kLatinAmerica}, {"44", kUnitedKingdom}},
                     kOther);
}

std::string rejection(const std::vector<MarketPrefix>& prefixes) {
  try {
    MarketTable table(prefixes, kOther);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  ADD_FAILURE() << "table was built";
  return "";
}

TEST(MarketTable, PicksTheLongestMatchingPrefix) {
  const MarketTable table = sampleTable();
  EXPECT_EQ(table.lookup("18095551234"), kLatinAmerica);
  EXPECT_EQ(table.lookup("12125551234"), kNorthAmerica);
  EXPECT_EQ(table.lookup("447911123456"), kUnitedKingdom);
}

TEST(MarketTable, FallsBackWhenNoPrefixMatches) {
  const MarketTable table = sampleTable();
  EXPECT_EQ(table.lookup("821012345678"), kOther);
  EXPECT_EQ(table.lookup("4"), kOther);  // a prefix of "44" is not a match
  EXPECT_EQ(table.lookup(""), kOther);
  EXPECT_EQ(table.fallback(), kOther);
}

TEST(MarketTable, MatchesANumberEqualToAPrefix) {
  EXPECT_EQ(sampleTable().lookup("1809"), kLatinAmerica);
  EXPECT_EQ(sampleTable().lookup("180"), kNorthAmerica);
}

TEST(MarketTable, StopsAtANonDigitInsteadOfFailing) {
  EXPECT_EQ(sampleTable().lookup("1x809"), kNorthAmerica);
  EXPECT_EQ(sampleTable().lookup("+44"), kOther);
}

TEST(MarketTable, BuildsAnEmptyTableThatMapsEverythingToTheFallback) {
  const MarketTable table({}, kOther);
  EXPECT_EQ(table.lookup("4915112345678"), kOther);
}

TEST(MarketTable, RefusesADuplicatePrefixNamingIt) {
  const std::string message = rejection({{"44", kUnitedKingdom}, {"1809", 1}, {"44", kOther}});
  EXPECT_NE(message.find("'44'"), std::string::npos);
  EXPECT_NE(message.find("twice"), std::string::npos);
}

TEST(MarketTable, RefusesANonDigitPrefixNamingIt) {
  EXPECT_NE(rejection({{"18a9", 1}}).find("'18a9'"), std::string::npos);
  EXPECT_NE(rejection({{"+44", 2}}).find("'+44'"), std::string::npos);
}

TEST(MarketTable, RefusesAnEmptyOrOverlongPrefix) {
  EXPECT_NE(rejection({{"", 1}}).find("empty"), std::string::npos);
  EXPECT_NE(rejection({{"1234567890123456", 1}}).find("'1234567890123456'"), std::string::npos);
}

TEST(MarketTable, ReportsTheMemoryItHolds) {
  // Root plus the nodes of 1, 18, 180, 1809, 4, 44: seven nodes of ten 4-byte children each.
  EXPECT_GE(sampleTable().memoryBytes(), 7u * 10u * 4u);
}

}  // namespace
}  // namespace creditgate
