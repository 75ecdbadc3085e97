// Meta's Pricing.csv as an admin downloads it, and every way such a file can be wrong: each refusal
// names the file, the physical line and the column, so the admin can find the cell.
#include "meta_pricing_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "currency_token.hpp"

namespace creditgate::admin {
namespace {

using ::testing::HasSubstr;

const std::string kDataDir = CREDITGATE_SOURCE_DIR "/tests/data/";

// Lines 1-5, as Meta writes them (free text padded to the header's width).
const std::string kMetadata =
    "WhatsApp Business Platform - Pricing,,,,,,\n"
    "\"Rates effective July 1, 2025\",,,,,,\n"
    "Currency: USD ($US),,,,,,\n"
    "Rates are per delivered template message,,,,,,\n"
    ",,,,,,\n";
// Lines 6-7: the quoted newline inside the fifth cell makes the header two physical lines.
const std::string kHeader =
    "Market,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\n";
// Market rows therefore start on line 8.
const std::string kArgentina = "Argentina,$US,0.0618,0.0289,0.0289,n/a,0.0000\n";
const std::string kBrazil = "Brazil,$US,0.0625,0.0068,0.0068,n/a,0.0000\n";

std::string pricingFile(const std::vector<std::string>& rows,
                        const std::string& metadata = kMetadata,
                        const std::string& header = kHeader) {
  std::string text = metadata + header;
  for (const std::string& row : rows) text += row;
  return text;
}

MetaPricingOptions named(std::string name = "Pricing.csv") {
  MetaPricingOptions options;
  options.source_name = std::move(name);
  return options;
}

// The refusal's message; a failure when the file is accepted.
std::string refusal(const std::string& text, const MetaPricingOptions& options = named()) {
  try {
    parseMetaPricingCsv(text, options);
  } catch (const InputFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr std::size_t kMarketing = static_cast<std::size_t>(Category::marketing);
constexpr std::size_t kUtility = static_cast<std::size_t>(Category::utility);
constexpr std::size_t kAuthentication = static_cast<std::size_t>(Category::authentication);
constexpr std::size_t kAuthInternational =
    static_cast<std::size_t>(Category::authentication_international);
constexpr std::size_t kService = static_cast<std::size_t>(Category::service);

TEST(MetaPricingCsv, ReadsTheShippedUsdFileInMetasLayoutExactly) {
  const MetaRateCard card =
      parseMetaPricingCsv(readFile(kDataDir + "pricing_usd_2025-07-01.csv"), named());
  EXPECT_EQ(card.currency, "USD");
  // The metadata also says "File generated 2025-06-12": the row saying "effective" wins.
  EXPECT_EQ(card.effective_from.iso(), "2025-07-01");
  ASSERT_EQ(card.markets.size(), 32u);
  EXPECT_EQ(card.cellCount(), 160u);
  EXPECT_EQ(card.missingCount(), 23u);
  const MarketRates& argentina = card.markets.front();
  EXPECT_EQ(argentina.market, "Argentina");
  EXPECT_EQ(argentina.line, 8u);
  EXPECT_EQ(argentina.rates_micros[kMarketing], 61800);
  EXPECT_EQ(argentina.rates_micros[kUtility], 28900);
  EXPECT_EQ(argentina.rates_micros[kAuthentication], 28900);
  EXPECT_EQ(argentina.rates_micros[kAuthInternational], std::nullopt);
  EXPECT_EQ(argentina.rates_micros[kService], 0);
  EXPECT_EQ(card.markets.back().market, "Other");
  EXPECT_EQ(card.markets.back().rates_micros[kMarketing], 60400);
}

TEST(MetaPricingCsv, ReadsTheShippedEuroFileWithItsSymbolAndIsoDate) {
  const MetaRateCard card =
      parseMetaPricingCsv(readFile(kDataDir + "pricing_eur_2026-07-01.csv"), named());
  EXPECT_EQ(card.currency, "EUR");
  EXPECT_EQ(card.effective_from.iso(), "2026-07-01");
  const auto india = std::find_if(card.markets.begin(), card.markets.end(),
                                  [](const MarketRates& m) { return m.market == "India"; });
  ASSERT_NE(india, card.markets.end());
  EXPECT_EQ(india->rates_micros[kMarketing], 9900);
  EXPECT_EQ(india->rates_micros[kAuthentication], 1200);
  EXPECT_EQ(india->rates_micros[kAuthInternational], 25200);
}

TEST(MetaPricingCsv, WindowsLineEndingsAndAByteOrderMarkReadTheSame) {
  std::string text = "\xEF\xBB\xBF" + pricingFile({kArgentina, kBrazil});
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const MetaRateCard card = parseMetaPricingCsv(crlf, named());
  ASSERT_EQ(card.markets.size(), 2u);
  EXPECT_EQ(card.markets[1].market, "Brazil");
  EXPECT_EQ(card.markets[1].line, 9u);
  EXPECT_EQ(card.markets[1].rates_micros[kService], 0);
}

TEST(MetaPricingCsv, MatchesHeadersIgnoringCaseSpacesNewlinesAndHyphensInAnyOrder) {
  const std::string header =
      " MARKET , currency,Service,marketing,UTILITY,authentication,Authentication  international\n";
  const MetaRateCard card = parseMetaPricingCsv(
      pricingFile({"Argentina,$US,0.0001,0.0618,0.0289,0.0290,0.05\n"}, kMetadata, header),
      named());
  const MarketRates& row = card.markets.at(0);
  EXPECT_EQ(row.rates_micros[kService], 100);
  EXPECT_EQ(row.rates_micros[kMarketing], 61800);
  EXPECT_EQ(row.rates_micros[kAuthentication], 29000);
  EXPECT_EQ(row.rates_micros[kAuthInternational], 50000);
  EXPECT_EQ(row.line, 7u);
}

TEST(MetaPricingCsv, NotAvailableInAnyCaseIsAMissingRateNeverZero) {
  const MetaRateCard card =
      parseMetaPricingCsv(pricingFile({"Argentina,$US, N/A ,n/a,N/a,n/A,0\n"}), named());
  const MarketRates& row = card.markets.at(0);
  EXPECT_EQ(row.rates_micros[kMarketing], std::nullopt);
  EXPECT_EQ(row.rates_micros[kAuthInternational], std::nullopt);
  EXPECT_EQ(row.rates_micros[kService], 0);
  EXPECT_EQ(card.missingCount(), 4u);
}

TEST(MetaPricingCsv, EmptyTrailingLinesAndPaddingRowsAreIgnored) {
  const MetaRateCard card =
      parseMetaPricingCsv(pricingFile({kArgentina, kBrazil, "\n", ",,,,,,\n", "\n"}), named());
  EXPECT_EQ(card.markets.size(), 2u);
}

TEST(MetaPricingCsv, RefusesMoreThanSixDecimalsNamingLineAndColumn) {
  const std::string message =
      refusal(pricingFile({kArgentina, "Brazil,$US,0.0625,0.0068123,0.0068,n/a,0\n"}));
  EXPECT_THAT(message, HasSubstr("Pricing.csv line 9, column Utility: '0.0068123' has more than 6 "
                                 "decimals"));
  EXPECT_THAT(message, HasSubstr("Brazil"));
}

TEST(MetaPricingCsv, RefusesANegativeRate) {
  EXPECT_THAT(refusal(pricingFile({"Argentina,$US,-0.0618,0.0289,0.0289,n/a,0\n"})),
              HasSubstr("line 8, column Marketing: '-0.0618' is negative"));
}

TEST(MetaPricingCsv, RefusesMalformedNumbersAndEmptyCells) {
  for (const std::string cell : {"0.05.1", "1e-3", "$0.05", "\"0,05\"", "0.", ".5", "abc"}) {
    EXPECT_THAT(refusal(pricingFile(
                    {kArgentina, kBrazil, "Chile,$US,0.0889,0.0200,0.0200,n/a," + cell + "\n"})),
                HasSubstr("Pricing.csv line 10, column Service: "))
        << cell;
  }
  EXPECT_THAT(refusal(pricingFile({"Argentina,$US,0.0618,,0.0289,n/a,0\n"})),
              HasSubstr("line 8, column Utility: '' is empty"));
  EXPECT_THAT(refusal(pricingFile({"Argentina,$US,0.0618,0.0289,0.0289,0.05.1,0\n"})),
              HasSubstr("line 8, column Authentication-International: '0.05.1' is not a plain "
                        "decimal number"));
}

TEST(MetaPricingCsv, RefusesAnUnknownCurrencyToken) {
  for (const std::string token : {"$", "usd", "Dollars", "US Dollar", "\xc2\xa2"}) {
    EXPECT_THAT(refusal(pricingFile({kArgentina, "Brazil," + token + ",0.0625,0,0,n/a,0\n"})),
                HasSubstr("Pricing.csv line 9, column Currency: unknown currency token"))
        << token;
  }
}

TEST(MetaPricingCsv, RefusesMixedCurrenciesNamingBothLines) {
  EXPECT_THAT(refusal(pricingFile({kArgentina, kBrazil, "Chile,EUR,0.0889,0.02,0.02,n/a,0\n"})),
              HasSubstr("line 10, column Currency: EUR ('EUR') differs from USD on line 8"));
  EXPECT_THAT(refusal(pricingFile({kArgentina, "Brazil,\xe2\x82\xac,0.0625,0,0,n/a,0\n"})),
              HasSubstr("line 9, column Currency: EUR"));
}

TEST(MetaPricingCsv, AcceptsEveryDocumentedSpellingOfACurrency) {
  const std::vector<std::pair<std::string, std::string>> tokens = {
      {"$US", "USD"}, {"US$", "USD"},      {"USD", "USD"},          {"\xe2\x82\xac", "EUR"},
      {"EUR", "EUR"}, {"\xc2\xa3", "GBP"}, {"\xe2\x82\xb9", "INR"}, {"Rp", "IDR"},
      {"A$", "AUD"},  {"MX$", "MXN"},      {"R$", "BRL"},           {"IDR", "IDR"},
      {"CLP$", "CLP"}};
  for (const auto& [token, code] : tokens) {
    EXPECT_EQ(isoCurrencyOf(token), code) << token;
    const MetaRateCard card =
        parseMetaPricingCsv(pricingFile({"Argentina," + token + ",1,1,1,n/a,0\n"}), named());
    EXPECT_EQ(card.currency, code) << token;
  }
  EXPECT_EQ(isoCurrencyOf("$"), std::nullopt);
  EXPECT_EQ(isoCurrencyOf("R"), std::nullopt);
}

TEST(MetaPricingCsv, RefusesAFileWithoutItsHeaderRow) {
  EXPECT_THAT(refusal(kMetadata + kArgentina + kBrazil),
              HasSubstr("Pricing.csv line 6: no header row: expected \"Market, Currency"));
}

TEST(MetaPricingCsv, RefusesAHeaderMissingAColumn) {
  const std::string header =
      "Market,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\"\n";
  EXPECT_THAT(refusal(pricingFile({"Argentina,$US,0.0618,0.0289,0.0289,n/a\n"}, kMetadata, header)),
              HasSubstr("Pricing.csv line 6: the header has no Service column"));
}

TEST(MetaPricingCsv, RefusesAnUnknownOrRepeatedColumn) {
  EXPECT_THAT(refusal(pricingFile({kArgentina}, kMetadata,
                                  "Market,Currency,Marketing,Utility,Authentication,"
                                  "Authentication-International,Service,Marketing Lite\n")),
              HasSubstr("line 6: unknown column 'Marketing Lite'"));
  EXPECT_THAT(refusal(pricingFile({kArgentina}, kMetadata,
                                  "Market,Currency,Marketing,Utility,Authentication,"
                                  "Authentication-International,Service,marketing\n")),
              HasSubstr("line 6: column Marketing appears twice"));
}

TEST(MetaPricingCsv, RefusesAMarketListedTwiceNamingBothLines) {
  EXPECT_THAT(
      refusal(pricingFile({kArgentina, kBrazil, kArgentina})),
      HasSubstr("Pricing.csv line 10: market 'Argentina' is listed twice (also on line 8)"));
}

TEST(MetaPricingCsv, RefusesShortRowsCellsOutsideTheHeaderAndEmptyMarketNames) {
  EXPECT_THAT(refusal(pricingFile({kArgentina, "Brazil,$US,0.0625,0.0068,0.0068,n/a\n"})),
              HasSubstr("line 9: the row has 6 cells, the header (line 6) has 7"));
  EXPECT_THAT(refusal(pricingFile({kArgentina, "Brazil,$US,0.0625,0.0068,0.0068,n/a,0,0.01\n"})),
              HasSubstr("line 9: cell 8 '0.01' is under no column"));
  EXPECT_THAT(refusal(pricingFile({" ,$US,0.0625,0.0068,0.0068,n/a,0\n"})),
              HasSubstr("line 8, column Market: the market name is empty"));
  EXPECT_THAT(refusal(pricingFile({})), HasSubstr("line 6: no market rows after the header"));
}

TEST(MetaPricingCsv, ReportsThePhysicalLineWhereARecordStarts) {
  // A metadata cell spanning three lines shifts everything after it by two.
  const std::string metadata =
      "WhatsApp Business Platform - Pricing,,,,,,\n"
      "\"Rates effective July 1, 2025.\nPrices per delivered message.\nn/a: no rate\",,,,,,\n"
      "Currency: USD,,,,,,\n,,,,,,\n,,,,,,\n";
  EXPECT_THAT(refusal(pricingFile({kArgentina, "Brazil,$US,1e-3,0,0,n/a,0\n"}, metadata)),
              HasSubstr("line 11, column Marketing: '1e-3'"));
}

TEST(MetaPricingCsv, RefusesAnUnclosedQuoteNamingTheLineItOpensOn) {
  EXPECT_THAT(refusal(pricingFile({kArgentina, "\"Brazil,$US,0.0625,0,0,n/a,0\n", kArgentina})),
              HasSubstr("Pricing.csv line 9: a quoted cell is never closed"));
}

TEST(MetaPricingCsv, WithoutADateInTheFileOrOnTheCommandLineSaysHowToGiveIt) {
  const std::string undated =
      "WhatsApp Business Platform - Pricing,,,,,,\n,,,,,,\n,,,,,,\n,,,,,,\n,,,,,,\n";
  EXPECT_THAT(refusal(pricingFile({kArgentina}, undated)),
              HasSubstr("Pricing.csv: the file names no effective date in its 5 metadata rows "
                        "(before the header on line 6): give it with --effective-from"));
  MetaPricingOptions options = named();
  options.effective_from = CalendarDate::parseIso("2025-07-01");
  EXPECT_EQ(parseMetaPricingCsv(pricingFile({kArgentina}, undated), options).effective_from.iso(),
            "2025-07-01");
}

TEST(MetaPricingCsv, AFlagThatDisagreesWithTheFileIsRefusedNamingTheLine) {
  MetaPricingOptions options = named();
  options.effective_from = CalendarDate::parseIso("2025-07-02");
  EXPECT_THAT(refusal(pricingFile({kArgentina}), options),
              HasSubstr("Pricing.csv line 2: the file is effective 2025-07-01 but --effective-from "
                        "says 2025-07-02"));
  options.effective_from = CalendarDate::parseIso("2025-07-01");
  options.currency = "EUR";
  EXPECT_THAT(refusal(pricingFile({kArgentina}), options),
              HasSubstr("Pricing.csv line 8, column Currency: the file says USD ('$US') but "
                        "--currency says EUR"));
  options.currency = "USD";
  EXPECT_EQ(parseMetaPricingCsv(pricingFile({kArgentina}), options).currency, "USD");
}

TEST(MetaPricingCsv, TwoDifferentEffectiveDatesInTheMetadataAreRefused) {
  const std::string metadata =
      "Pricing,,,,,,\nRates effective 2025-07-01,,,,,,\n\"Effective October 1, 2025\",,,,,,\n"
      ",,,,,,\n,,,,,,\n";
  EXPECT_THAT(refusal(pricingFile({kArgentina}, metadata)),
              HasSubstr("line 3: the metadata names 2025-10-01 here and 2025-07-01 on line 2"));
}

TEST(MetaPricingCsv, CurrencyComesFromTheFlagWhenTheColumnIsEmpty) {
  const std::string row = "Argentina,,0.0618,0.0289,0.0289,n/a,0\n";
  EXPECT_THAT(refusal(pricingFile({row})),
              HasSubstr("Pricing.csv: the file names no currency (its Currency column is empty): "
                        "give it with --currency"));
  MetaPricingOptions options = named();
  options.currency = "USD";
  EXPECT_EQ(parseMetaPricingCsv(pricingFile({row}), options).currency, "USD");
}

TEST(MetaPricingCsv, FindsDatesAsMetaWritesThem) {
  const auto iso = [](std::string_view text) {
    const auto date = dateInText(text);
    return date ? date->iso() : std::string("none");
  };
  EXPECT_EQ(iso("Effective July 1, 2025"), "2025-07-01");
  EXPECT_EQ(iso("Rates effective 2026-07-01"), "2026-07-01");
  EXPECT_EQ(iso("effective 1 Jul 2025"), "2025-07-01");
  EXPECT_EQ(iso("EFFECTIVE SEPT 30, 2026."), "2026-09-30");
  EXPECT_EQ(iso("February 30, 2026"), "none");
  EXPECT_EQ(iso("2026-02-30"), "none");
  EXPECT_EQ(iso("20260701"), "none");
  EXPECT_EQ(iso("Version 2.3"), "none");
}

}  // namespace
}  // namespace creditgate::admin
