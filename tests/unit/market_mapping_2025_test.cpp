// The shipped 2025 market data, loaded into a MarketTable as RateSnapshot builds its own.
// Each expectation is a real number and the market Meta bills it in, or a country of Meta's own
// lists (data/meta_markets_2025.csv, by country name) and the market that lists it.
#include "market_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "csv_reader.hpp"

namespace creditgate {
namespace {

const std::string kDataDir = CREDITGATE_SOURCE_DIR "/data/";

// The rows after the header, which must be `header`; every row has as many cells.
std::vector<std::vector<std::string>> readCsv(const std::string& path,
                                              const std::vector<std::string>& header) {
  std::vector<std::vector<std::string>> rows;
  for (auto& record : admin::readCsvFile(path)) {
    if (record.line == 1) {
      EXPECT_EQ(record.cells, header) << path;
      continue;
    }
    EXPECT_EQ(record.cells.size(), header.size()) << path << " line " << record.line;
    rows.push_back(std::move(record.cells));
  }
  return rows;
}

// One row of data/meta_markets_2025.csv: a country as Meta lists it, and its prefix.
struct ListedCountry {
  std::string prefix;
  std::string country;
  std::string market;
};

class MarketMapping2025 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    listed_ = new std::vector<ListedCountry>();
    for (const auto& row :
         readCsv(kDataDir + "meta_markets_2025.csv", {"prefix", "country", "market"})) {
      listed_->push_back({row.at(0), row.at(1), row.at(2)});
    }
    names_ = new std::vector<std::string>();
    for (const auto& row : readCsv(kDataDir + "markets_2025.csv", {"market"})) {
      names_->push_back(row.at(0));
    }
    std::vector<MarketPrefix> prefixes;
    for (const auto& row : readCsv(kDataDir + "market_prefixes_2025.csv", {"prefix", "market"})) {
      prefixes.push_back({row.at(0), indexOf(row.at(1))});
    }
    table_ = new MarketTable(prefixes, indexOf("Other"));
  }
  static void TearDownTestSuite() {
    delete table_;
    delete names_;
    delete listed_;
  }

  static MarketIndex indexOf(const std::string& market) {
    for (std::size_t i = 0; i < names_->size(); ++i) {
      if ((*names_)[i] == market) return static_cast<MarketIndex>(i);
    }
    ADD_FAILURE() << "'" << market << "' is not in markets_2025.csv";
    return 0;
  }

  // `e164` with its '+', as a recipient arrives.
  static std::string marketOf(std::string_view e164) {
    return (*names_)[table_->lookup(e164.substr(1))];
  }

  // The market of numbers that start with `prefix` and with no longer listed prefix.
  static std::string marketOfPrefix(std::string_view prefix) {
    return (*names_)[table_->lookup(prefix)];
  }

  static inline std::vector<ListedCountry>* listed_ = nullptr;
  static inline std::vector<std::string>* names_ = nullptr;
  static inline MarketTable* table_ = nullptr;
};

TEST_F(MarketMapping2025, ListsEveryMarketExactlyOnce) {
  const std::set<std::string> unique(names_->begin(), names_->end());
  EXPECT_EQ(unique.size(), names_->size());
  EXPECT_EQ(names_->size(), 32u);  // 24 countries, North America, 6 "Rest of" groups, Other
}

TEST_F(MarketMapping2025, NamesOnlyListedMarketsAndEveryMarketButOtherHasAPrefix) {
  std::set<std::string> with_prefix;
  for (const auto& row : readCsv(kDataDir + "market_prefixes_2025.csv", {"prefix", "market"})) {
    with_prefix.insert(row.at(1));
  }
  const std::set<std::string> listed(names_->begin(), names_->end());
  for (const std::string& market : with_prefix) EXPECT_TRUE(listed.contains(market)) << market;
  for (const std::string& market : listed) EXPECT_TRUE(with_prefix.contains(market)) << market;
}

TEST_F(MarketMapping2025, MapsARealNumberOfEveryMarketToIt) {
  const std::map<std::string, std::vector<std::string>> numbers = {
      {"Argentina", {"+5491123456789"}},
      {"Brazil", {"+5511987654321"}},
      {"Chile", {"+56912345678"}},
      {"Colombia", {"+573001234567"}},
      {"Egypt", {"+201001234567"}},
      {"France", {"+33612345678"}},
      {"Germany", {"+4915112345678"}},
      {"India", {"+919876543210"}},
      {"Indonesia", {"+6281234567890"}},
      {"Israel", {"+972501234567"}},
      {"Italy", {"+393123456789"}},
      {"Malaysia", {"+60123456789"}},
      {"Mexico", {"+5215512345678"}},
      {"Netherlands", {"+31612345678"}},
      {"Nigeria", {"+2348031234567"}},
      {"Pakistan", {"+923001234567"}},
      {"Peru", {"+51912345678"}},
      {"Russia", {"+79161234567"}},
      {"Saudi Arabia", {"+966501234567"}},
      {"South Africa", {"+27821234567"}},
      {"Spain", {"+34612345678"}},
      {"Turkey", {"+905321234567"}},
      {"United Arab Emirates", {"+971501234567"}},
      {"United Kingdom", {"+447911123456"}},
      {"North America", {"+12125551234", "+14165551234"}},
      {"Rest of Latin America", {"+59171234567", "+50688123456", "+593991234567", "+50370123456",
                                 "+50251234567", "+50934123456", "+50491234567", "+50581234567",
                                 "+50761234567", "+595981123456", "+59894123456", "+584121234567"}},
      {"Rest of Africa", {"+212612345678", "+254712345678", "+233241234567", "+251911234567",
                          "+255712345678", "+256712345678", "+213551234567", "+221771234567",
                          "+260971234567", "+291712345"}},
      {"Rest of Asia Pacific", {"+61412345678", "+8613812345678", "+819012345678", "+6591234567",
                                "+85291234567", "+639171234567", "+84912345678", "+6421234567"}},
      {"Rest of Central & Eastern Europe", {"+48601234567", "+40721234567", "+36201234567",
                                            "+306912345678", "+380501234567", "+420601123456"}},
      {"Rest of Western Europe", {"+436641234567", "+32471234567", "+4520123456",
                                  "+358401234567", "+353851234567", "+4791234567",
                                  "+351912345678", "+46701234567", "+41791234567"}},
      {"Rest of Middle East", {"+97336001234", "+9647901234567", "+962791234567", "+96550012345",
                               "+9613123456", "+96891234567", "+97433123456", "+967712345678"}},
      {"Other", {"+821012345678", "+12425551234"}},
  };
  for (const std::string& market : *names_) {
    const auto it = numbers.find(market);
    ASSERT_NE(it, numbers.end()) << "no sample number for " << market;
    for (const std::string& number : it->second) EXPECT_EQ(marketOf(number), market) << number;
  }
  EXPECT_EQ(numbers.size(), names_->size());
}

TEST_F(MarketMapping2025, PricesDominicanRepublicAsRestOfLatinAmerica) {
  EXPECT_EQ(marketOf("+18095551234"), "Rest of Latin America");
  EXPECT_EQ(marketOf("+18295551234"), "Rest of Latin America");
  EXPECT_EQ(marketOf("+18495551234"), "Rest of Latin America");
}

TEST_F(MarketMapping2025, PricesJamaicaAsRestOfLatinAmerica) {
  EXPECT_EQ(marketOf("+16585551234"), "Rest of Latin America");
  EXPECT_EQ(marketOf("+18765551234"), "Rest of Latin America");
}

TEST_F(MarketMapping2025, PricesPuertoRicoAsRestOfLatinAmerica) {
  EXPECT_EQ(marketOf("+17875551234"), "Rest of Latin America");
  EXPECT_EQ(marketOf("+19395551234"), "Rest of Latin America");
}

TEST_F(MarketMapping2025, PricesCanadaAndTheUnitedStatesAsNorthAmerica) {
  EXPECT_EQ(marketOf("+14165551234"), "North America");  // Toronto
  EXPECT_EQ(marketOf("+16045551234"), "North America");  // Vancouver
  EXPECT_EQ(marketOf("+12125551234"), "North America");  // New York
  EXPECT_EQ(marketOf("+14155551234"), "North America");  // San Francisco
}

TEST_F(MarketMapping2025, PricesUsTerritoriesOtherThanPuertoRicoAsOther) {
  // North America is the United States and Canada only; Meta lists no market for these.
  EXPECT_EQ(marketOf("+13407731234"), "Other");  // US Virgin Islands
  EXPECT_EQ(marketOf("+16702341234"), "Other");  // Northern Mariana Islands
  EXPECT_EQ(marketOf("+16714771234"), "Other");  // Guam
  EXPECT_EQ(marketOf("+16846331234"), "Other");  // American Samoa
}

TEST_F(MarketMapping2025, PricesGuineaAndDjiboutiAsOtherNotRestOfAfrica) {
  EXPECT_EQ(marketOf("+224621123456"), "Other");           // Guinea
  EXPECT_EQ(marketOf("+25377123456"), "Other");            // Djibouti
  EXPECT_EQ(marketOf("+245955123456"), "Rest of Africa");  // Guinea-Bissau is listed
  EXPECT_EQ(marketOf("+252612345678"), "Rest of Africa");  // Somalia, the code next to Djibouti's
}

TEST_F(MarketMapping2025, PricesTheAfricanCountriesMetaDoesNotListAsOther) {
  EXPECT_EQ(marketOf("+243812345678"), "Other");  // DR Congo
  EXPECT_EQ(marketOf("+23052512345"), "Other");   // Mauritius
  EXPECT_EQ(marketOf("+2389912345"), "Other");    // Cape Verde
  EXPECT_EQ(marketOf("+263771234567"), "Other");  // Zimbabwe
}

// Meta's lists, transcribed country by country, against the mapping the plugin prices by: every
// listed country is priced in its market, and every prefix row is a country its market lists.
TEST_F(MarketMapping2025, PricesEveryCountryMetaListsInTheMarketThatListsIt) {
  for (const ListedCountry& listed : *listed_) {
    EXPECT_EQ(marketOfPrefix(listed.prefix), listed.market)
        << listed.country << " (+" << listed.prefix << ")";
  }
}

TEST_F(MarketMapping2025, MapsEveryPrefixToTheMarketThatListsItsCountry) {
  for (const auto& row : readCsv(kDataDir + "market_prefixes_2025.csv", {"prefix", "market"})) {
    const std::string& prefix = row.at(0);
    const std::string& market = row.at(1);
    const auto listed = std::find_if(listed_->begin(), listed_->end(),
                                     [&](const ListedCountry& c) { return c.prefix == prefix; });
    if (listed == listed_->end()) {
      ADD_FAILURE() << "prefix " << prefix << " (" << market << ") is no country Meta lists";
    } else {
      EXPECT_EQ(market, listed->market)
          << "prefix " << prefix << ": Meta lists " << listed->country << " in " << listed->market;
    }
  }
}

TEST_F(MarketMapping2025, ListsExactlyTheCountriesOfEveryMarketEachInOneMarket) {
  std::map<std::string, std::set<std::string>> countries;  // market -> its countries
  std::map<std::string, std::string> market_of_country;
  std::map<std::string, std::string> market_of_prefix;
  for (const ListedCountry& listed : *listed_) {
    countries[listed.market].insert(listed.country);
    const auto [country, new_country] = market_of_country.emplace(listed.country, listed.market);
    EXPECT_EQ(country->second, listed.market) << listed.country << " is in two markets";
    const auto [prefix, new_prefix] = market_of_prefix.emplace(listed.prefix, listed.market);
    EXPECT_EQ(prefix->second, listed.market) << "+" << listed.prefix << " is in two markets";
  }
  // The sizes of Meta's group lists; each single-country market lists itself.
  const std::map<std::string, std::size_t> group_sizes = {
      {"North America", 2},
      {"Rest of Latin America", 15},
      {"Rest of Africa", 40},
      {"Rest of Asia Pacific", 21},
      {"Rest of Central & Eastern Europe", 20},
      {"Rest of Western Europe", 9},
      {"Rest of Middle East", 8},
  };
  for (const std::string& market : *names_) {
    if (market == "Other") continue;  // the named exceptions only; everything unlisted is Other
    const auto group = group_sizes.find(market);
    if (group != group_sizes.end()) {
      EXPECT_EQ(countries[market].size(), group->second) << market;
    } else {
      EXPECT_EQ(countries[market], std::set<std::string>{market}) << market;
    }
  }
  for (const auto& [market, listed] : countries) {
    EXPECT_TRUE(std::find(names_->begin(), names_->end(), market) != names_->end()) << market;
  }
}

TEST_F(MarketMapping2025, PricesOtherCaribbeanNanpCountriesAsOther) {
  EXPECT_EQ(marketOf("+12425551234"), "Other");  // Bahamas
  EXPECT_EQ(marketOf("+12465551234"), "Other");  // Barbados
  EXPECT_EQ(marketOf("+18685551234"), "Other");  // Trinidad and Tobago
  EXPECT_EQ(marketOf("+14415551234"), "Other");  // Bermuda
}

TEST_F(MarketMapping2025, PricesAllOfPlusSevenIncludingKazakhstanAsRussia) {
  EXPECT_EQ(marketOf("+74951234567"), "Russia");  // Moscow
  EXPECT_EQ(marketOf("+77011234567"), "Russia");  // Kazakhstan mobile: its own market only in 2026
}

TEST_F(MarketMapping2025, PricesPlusFortyFourAsUnitedKingdom) {
  EXPECT_EQ(marketOf("+447911123456"), "United Kingdom");
  EXPECT_EQ(marketOf("+441481123456"), "United Kingdom");  // Guernsey shares +44
}

TEST_F(MarketMapping2025, PricesUnlistedCallingCodesAsOther) {
  EXPECT_EQ(marketOf("+821012345678"), "Other");  // South Korea
  EXPECT_EQ(marketOf("+8801712345678"), "Rest of Asia Pacific");  // Bangladesh: listed in 2025
  EXPECT_EQ(marketOf("+244923123456"), "Rest of Africa");  // Angola
  EXPECT_EQ(marketOf("+3545512345"), "Other");  // Iceland is not in Rest of Western Europe
}

TEST_F(MarketMapping2025, KeepsEgyptApartFromItsNeighboursInTheTwoHundreds) {
  EXPECT_EQ(marketOf("+201001234567"), "Egypt");
  EXPECT_EQ(marketOf("+218912345678"), "Rest of Africa");  // Libya
  EXPECT_EQ(marketOf("+27821234567"), "South Africa");
  EXPECT_EQ(marketOf("+264811234567"), "Rest of Africa");  // Namibia
}

}  // namespace
}  // namespace creditgate
