// A market mapping file (data/market_prefixes_*.csv): header "prefix,market", then one row per
// E.164 digit prefix and the market Meta prices it in. Checked whole before anything is imported.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace creditgate::admin {

struct MarketPrefixRow {
  std::string prefix;  // 1 to 15 digits, not starting with 0
  std::string market;
  std::size_t line = 0;
};

// Throws InputFileError (csv_reader.hpp) naming the line: a missing or other header, a bad prefix,
// an empty or too long market name, a prefix given twice (both lines), no rows at all.
std::vector<MarketPrefixRow> parseMarketMappingCsv(std::string_view text,
                                                   std::string_view source_name);

}  // namespace creditgate::admin
