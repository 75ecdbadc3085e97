// The rate-card import (Meta's Pricing.csv) and the market-mapping import on arbitrary bytes. Both
// parsers must return or throw InputFileError, never anything else, never crash or hang. Besides:
//  - an error starts with the file name and names a line of the input ("Pricing.csv line 7: "),
//    except the few problems of the file as a whole, which say so ("Pricing.csv: the file ...");
//  - what parses is consistent: rows name lines of the input, market names are non-empty, prefixes
//    are 1 to 15 digits not starting with 0, rates are >= 0.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "calendar_date.hpp"
#include "csv_reader.hpp"
#include "fuzz_check.hpp"
#include "market_mapping_csv.hpp"
#include "meta_pricing_csv.hpp"

namespace {

using creditgate::admin::InputFileError;
using creditgate::fuzz::check;

constexpr std::string_view kPricingName = "Pricing.csv";
constexpr std::string_view kMappingName = "markets.csv";

// Problems of a file as a whole carry no line (fileLocation(source, 0)); every one of them starts
// with one of these.
constexpr std::string_view kWholeFileProblems[] = {
    "no header row",                   // nothing that looks like a header (also an empty file)
    "the file names no effective date",  // neither the metadata nor --effective-from
    "the file names no currency",      // neither the currency cells nor --currency
    "the file is empty",               // market mapping: no row at all
};

std::size_t lineCount(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

void checkError(const InputFileError& error, std::string_view source, std::string_view text) {
  const std::string_view message = error.what();
  check(message.starts_with(source), "an input error starts with the file name", message);
  std::string_view rest = message.substr(source.size());
  if (rest.starts_with(": ")) {
    rest.remove_prefix(2);
    const bool whole_file =
        std::any_of(std::begin(kWholeFileProblems), std::end(kWholeFileProblems),
                    [&](std::string_view problem) { return rest.starts_with(problem); });
    check(whole_file, "an input error without a line is about the whole file", message);
    return;
  }
  check(rest.starts_with(" line "), "an input error names a line", message);
  rest.remove_prefix(6);
  std::size_t line = 0;
  std::size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' && digits < 12) {
    line = line * 10 + static_cast<std::size_t>(rest[digits] - '0');
    ++digits;
  }
  check(digits > 0 && line >= 1 && line <= lineCount(text),
        "an input error names a line of the input", message);
}

void fuzzPricing(std::string_view text, const creditgate::admin::MetaPricingOptions& options) {
  try {
    const auto card = creditgate::admin::parseMetaPricingCsv(text, options);
    check(card.currency.size() == 3, "a rate card has a 3-letter currency", card.currency);
    check(!card.markets.empty(), "a rate card has markets");
    for (const auto& market : card.markets) {
      check(!market.market.empty(), "a market name is not empty");
      check(market.line >= 1 && market.line <= lineCount(text), "a market row names its line");
      for (const auto& rate : market.rates_micros) {
        check(!rate || *rate >= 0, "a rate is >= 0", market.market);
      }
    }
  } catch (const InputFileError& error) {
    checkError(error, options.source_name, text);
  }
}

void fuzzMapping(std::string_view text) {
  try {
    const auto rows = creditgate::admin::parseMarketMappingCsv(text, kMappingName);
    check(!rows.empty(), "a market mapping has rows");
    for (const auto& row : rows) {
      const std::string_view prefix = row.prefix;
      check(!prefix.empty() && prefix.size() <= 15 && prefix[0] != '0' &&
                prefix.find_first_not_of("0123456789") == std::string_view::npos,
            "a prefix is 1 to 15 digits, not starting with 0", prefix);
      check(!row.market.empty(), "a mapped market name is not empty", prefix);
      check(row.line >= 1 && row.line <= lineCount(text), "a mapping row names its line", prefix);
    }
  } catch (const InputFileError& error) {
    checkError(error, kMappingName, text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // As `creditctl rates import Pricing.csv`, and with --currency and --effective-from given.
  fuzzPricing(text, {.source_name = std::string(kPricingName)});
  fuzzPricing(text, {.source_name = std::string(kPricingName),
                     .currency = "USD",
                     .effective_from = creditgate::admin::CalendarDate::of(2025, 7, 1)});
  fuzzMapping(text);
  return 0;
}
