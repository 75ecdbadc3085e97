// Market mapping files (prefix,market): the shipped 2025 file reads cleanly, and every malformed
// row is refused with its line.
#include "market_mapping_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "csv_reader.hpp"

namespace creditgate::admin {
namespace {

using ::testing::HasSubstr;

std::string refusal(const std::string& text) {
  try {
    parseMarketMappingCsv(text, "prefixes.csv");
  } catch (const InputFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

TEST(MarketMappingCsv, ReadsTheShipped2025Mapping) {
  std::ifstream in(CREDITGATE_SOURCE_DIR "/data/market_prefixes_2025.csv", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const auto rows = parseMarketMappingCsv(text.str(), "market_prefixes_2025.csv");
  ASSERT_EQ(rows.size(), 162u);
  EXPECT_EQ(rows.front().prefix, "1");
  EXPECT_EQ(rows.front().market, "North America");
  EXPECT_EQ(rows.front().line, 2u);
}

TEST(MarketMappingCsv, AcceptsCrlfQuotedMarketsAndBlankTrailingLines) {
  const auto rows = parseMarketMappingCsv(
      "Prefix, Market\r\n44,United Kingdom\r\n852,\"Hong Kong, China\"\r\n\r\n\r\n", "p.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].prefix, "852");
  EXPECT_EQ(rows[1].market, "Hong Kong, China");
  EXPECT_EQ(rows[1].line, 3u);
}

TEST(MarketMappingCsv, RefusesAMissingOrOtherHeader) {
  EXPECT_THAT(refusal("44,United Kingdom\n"),
              HasSubstr("prefixes.csv line 1: expected the header \"prefix,market\""));
  EXPECT_THAT(refusal("\nprefix,market,extra\n44,United Kingdom,x\n"),
              HasSubstr("prefixes.csv line 2: expected the header"));
  EXPECT_THAT(refusal(""), HasSubstr("prefixes.csv: the file is empty"));
  EXPECT_THAT(refusal("prefix,market\n\n"), HasSubstr("line 1: no rows after the header"));
}

TEST(MarketMappingCsv, RefusesPrefixesThatAreNotE164Digits) {
  for (const std::string prefix : {"044", "+44", "44a", "", "1234567890123456", "4 4", "0", "-1"}) {
    EXPECT_THAT(refusal("prefix,market\n1,North America\n" + prefix + ",United Kingdom\n"),
                HasSubstr("prefixes.csv line 3: prefix '"))
        << prefix;
  }
  EXPECT_EQ(parseMarketMappingCsv("prefix,market\n123456789012345,Other\n", "p").at(0).prefix,
            "123456789012345");
}

TEST(MarketMappingCsv, RefusesADuplicatePrefixNamingBothLines) {
  EXPECT_THAT(refusal("prefix,market\n44,United Kingdom\n1,North America\n44,Other\n"),
              HasSubstr("prefixes.csv line 4: prefix 44 is given twice (lines 2 and 4)"));
}

TEST(MarketMappingCsv, RefusesEmptyMarketsAndWrongCellCounts) {
  EXPECT_THAT(refusal("prefix,market\n44,\n"),
              HasSubstr("line 2: the market of prefix 44 is empty"));
  EXPECT_THAT(refusal("prefix,market\n44,United Kingdom\n1\n"),
              HasSubstr("line 3: expected 2 cells (prefix,market), found 1"));
  EXPECT_THAT(refusal("prefix,market\n44,United Kingdom,x\n"),
              HasSubstr("line 2: expected 2 cells (prefix,market), found 3"));
  EXPECT_THAT(refusal("prefix,market\n44," + std::string(48, 'x') + "\n"),
              HasSubstr("line 2: market name 'xxxx"));
}

}  // namespace
}  // namespace creditgate::admin
