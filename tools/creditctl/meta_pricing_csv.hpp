// Meta's WhatsApp rate-card download (Pricing.csv) as a rate card: one currency, one effective
// date, one row of rates per market. The file's layout:
//   a few metadata rows (free text, e.g. "Rates effective July 1, 2025"),
//   the header  Market, Currency, Marketing, Utility, Authentication, "Authentication-
//               International", Service      (matched ignoring case, spaces, newlines and hyphens),
//   one row per market: name, currency token ("$US", "€"...), five rates or "n/a".
// Everything is checked before anything is imported; every problem names the file, the line and the
// column.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar_date.hpp"
#include "category.hpp"

namespace creditgate::admin {

struct MetaPricingOptions {
  std::string source_name;                     // the file as messages name it
  std::optional<std::string> currency;         // --currency: must agree with the file's tokens
  std::optional<CalendarDate> effective_from;  // --effective-from: must agree with the metadata
};

struct MarketRates {
  std::string market;
  std::size_t line = 0;
  // Indexed by Category; nullopt is Meta's "n/a" (no rate: never priced as 0).
  std::array<std::optional<std::int64_t>, kCategoryCount> rates_micros;
};

struct MetaRateCard {
  std::string currency;  // ISO 4217
  CalendarDate effective_from;
  std::vector<MarketRates> markets;  // in file order, each market once

  std::size_t cellCount() const { return markets.size() * kCategoryCount; }
  std::size_t missingCount() const;  // "n/a" cells
};

// Throws InputFileError (see csv_reader.hpp) for anything wrong, including when neither the file
// nor the options give the currency or the effective date, or when they disagree.
MetaRateCard parseMetaPricingCsv(std::string_view text, const MetaPricingOptions& options);

// The first date `text` names as Meta's metadata rows write one: ISO ("Rates effective 2026-07-01")
// or with an English month name, any case, full or abbreviated ("Effective July 1, 2025",
// "1 Jul 2025"). Dates that do not exist (February 30) are not dates.
std::optional<CalendarDate> dateInText(std::string_view text);

}  // namespace creditgate::admin
