// The shipped list of active ISO 4217 currencies (data/iso4217_currencies_2025.csv), from which
// sql/013 seeds creditgate.currency (tests/pg/currency_pgtest.cpp checks the table equals it).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "currency_token.hpp"

namespace creditgate {
namespace {

struct Currency {
  std::string code;
  int minor_units = 0;
  std::string name;
};

std::vector<Currency> shippedCurrencies() {
  std::vector<Currency> currencies;
  for (const auto& record :
       admin::readCsvFile(CREDITGATE_SOURCE_DIR "/data/iso4217_currencies_2025.csv")) {
    if (record.line == 1) {
      EXPECT_EQ(record.cells, (std::vector<std::string>{"code", "minor_units", "name"}));
      continue;
    }
    EXPECT_EQ(record.cells.size(), 3u) << "line " << record.line;
    if (record.cells.size() != 3) continue;
    const std::string& units = record.cells[1];
    EXPECT_TRUE(units.size() == 1 && units[0] >= '0' && units[0] <= '9')
        << "line " << record.line << ": minor units '" << units << "'";
    currencies.push_back({record.cells[0], units.empty() ? -1 : units[0] - '0', record.cells[2]});
  }
  return currencies;
}

std::set<std::string> shippedCodes() {
  std::set<std::string> codes;
  for (const Currency& currency : shippedCurrencies()) codes.insert(currency.code);
  return codes;
}

TEST(Iso4217Currencies, EveryRowIsAThreeLetterCodeOnceInOrderWithMinorUnitsMicroUnitsHold) {
  const std::vector<Currency> currencies = shippedCurrencies();
  ASSERT_GE(currencies.size(), 150u);
  for (std::size_t i = 0; i < currencies.size(); ++i) {
    const Currency& c = currencies[i];
    EXPECT_TRUE(c.code.size() == 3 && std::all_of(c.code.begin(), c.code.end(),
                                                  [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
        << c.code;
    if (i > 0) {
      EXPECT_LT(currencies[i - 1].code, c.code) << "sorted, no code twice";
    }
    // Micro-units hold an amount exactly only for currencies with at most 6 minor units.
    EXPECT_GE(c.minor_units, 0) << c.code;
    EXPECT_LE(c.minor_units, 6) << c.code;
    EXPECT_FALSE(c.name.empty()) << c.code;
    EXPECT_EQ(c.name, std::string(admin::trimmed(c.name))) << c.code;
  }
}

TEST(Iso4217Currencies, HoldsOnlyCirculatingCurrencies) {
  const std::set<std::string> codes = shippedCodes();
  // Funds, precious metals, bond-market units, the SDR, testing and "no currency" codes, and
  // codes withdrawn before or during 2025.
  for (const char* code : {"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",
                           "XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR",
                           "XSU", "XUA", "XTS", "XXX", "HRK", "SLL", "ZWL", "ANG"}) {
    EXPECT_FALSE(codes.contains(code)) << code;
  }
  for (const char* code : {"EUR", "USD", "GBP", "JPY", "BHD", "XOF", "XAF", "XCD", "XCG", "ZWG"}) {
    EXPECT_TRUE(codes.contains(code)) << code;
  }
}

TEST(Iso4217Currencies, MinorUnitsAreIsos) {
  std::map<std::string, int> units;
  for (const Currency& c : shippedCurrencies()) units[c.code] = c.minor_units;
  EXPECT_EQ(units["EUR"], 2);
  EXPECT_EQ(units["JPY"], 0);
  EXPECT_EQ(units["KRW"], 0);
  EXPECT_EQ(units["BHD"], 3);
  EXPECT_EQ(units["KWD"], 3);
  EXPECT_EQ(units["IDR"], 2);
}

// Every currency Meta writes a rate card in (the tokens `rates import` maps) can be a tenant's.
TEST(Iso4217Currencies, IncludeEveryCurrencyOfMetasRateCards) {
  const std::set<std::string> codes = shippedCodes();
  for (const char* token :
       {"$US",  "€",    "£",  "₹",   "Rp",  "A$", "MX$", "R$", "C$",  "S$", "HK$", "NZ$", "AR$",
        "COL$", "CLP$", "S/", "JP¥", "CN¥", "₩",  "₪",   "₺",  "₽", "₦",  "₱",   "฿",   "₫"}) {
    const auto code = admin::isoCurrencyOf(token);
    ASSERT_TRUE(code.has_value()) << token;
    EXPECT_TRUE(codes.contains(*code)) << token << " -> " << *code;
  }
}

}  // namespace
}  // namespace creditgate
