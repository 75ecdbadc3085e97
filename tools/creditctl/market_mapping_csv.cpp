#include "market_mapping_csv.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "csv_reader.hpp"
#include "quoted_text.hpp"

namespace creditgate::admin {
namespace {

constexpr std::size_t kMaxPrefixDigits = 15;  // E.164
constexpr std::size_t kMaxMarketChars = 47;   // the market table's CHECK

bool isPrefix(std::string_view text) {
  return !text.empty() && text.size() <= kMaxPrefixDigits && text[0] != '0' &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::vector<MarketPrefixRow> parseMarketMappingCsv(std::string_view text,
                                                   std::string_view source_name) {
  const std::vector<CsvRecord> records = readCsv(text, source_name);
  const auto first = std::find_if(records.begin(), records.end(),
                                  [](const CsvRecord& record) { return !record.blank(); });
  if (first == records.end()) {
    throw InputFileError(fileLocation(source_name, 0) +
                         "the file is empty; expected a header "
                         "\"prefix,market\" and one row per prefix");
  }
  if (first->cells.size() != 2 || !equalsIgnoringCase(trimmed(first->cells[0]), "prefix") ||
      !equalsIgnoringCase(trimmed(first->cells[1]), "market")) {
    throw InputFileError(fileLocation(source_name, first->line) +
                         "expected the header \"prefix,market\"");
  }

  std::vector<MarketPrefixRow> rows;
  std::map<std::string, std::size_t, std::less<>> prefix_lines;
  for (auto record = first + 1; record != records.end(); ++record) {
    if (record->blank()) continue;
    const std::string where = fileLocation(source_name, record->line);
    if (record->cells.size() != 2) {
      throw InputFileError(where + "expected 2 cells (prefix,market), found " +
                           std::to_string(record->cells.size()));
    }
    MarketPrefixRow row{std::string(trimmed(record->cells[0])),
                        std::string(trimmed(record->cells[1])), record->line};
    if (!isPrefix(row.prefix)) {
      throw InputFileError(where + "prefix " + quotedText(row.prefix) +
                           " must be 1 to 15 digits not starting with 0 (E.164 digits, no '+')");
    }
    if (row.market.empty())
      throw InputFileError(where + "the market of prefix " + row.prefix + " is empty");
    if (utf8Length(row.market) > kMaxMarketChars) {
      throw InputFileError(where + "market name " + quotedText(row.market) +
                           " is longer than 47 characters");
    }
    if (auto [it, inserted] = prefix_lines.emplace(row.prefix, row.line); !inserted) {
      throw InputFileError(where + "prefix " + row.prefix + " is given twice (lines " +
                           std::to_string(it->second) + " and " + std::to_string(row.line) + ")");
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    throw InputFileError(fileLocation(source_name, first->line) + "no rows after the header");
  }
  return rows;
}

}  // namespace creditgate::admin
