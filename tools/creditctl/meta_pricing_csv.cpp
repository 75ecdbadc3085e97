#include "meta_pricing_csv.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <variant>

#include "csv_reader.hpp"
#include "currency_token.hpp"
#include "decimal_micros.hpp"
#include "quoted_text.hpp"

namespace creditgate::admin {
namespace {

constexpr std::size_t kMetadataRows = 5;     // what Meta writes before the header
constexpr std::size_t kMaxMarketChars = 47;  // the market table's CHECK

enum Column : std::size_t { kMarket = 0, kCurrency = 1, kFirstRate = 2, kColumnCount = 7 };

struct ColumnName {
  std::string_view normalized;  // see normalizedHeader()
  std::string_view shown;       // in messages
};

// Market, Currency, then the rate columns in Category order (rate column i is Category i).
constexpr std::array<ColumnName, kColumnCount> kColumns = {{
    {"market", "Market"},
    {"currency", "Currency"},
    {"marketing", "Marketing"},
    {"utility", "Utility"},
    {"authentication", "Authentication"},
    {"authentication international", "Authentication-International"},
    {"service", "Service"},
}};
static_assert(kColumnCount == kFirstRate + kCategoryCount);

constexpr std::string_view kExpectedHeader =
    "Market, Currency, Marketing, Utility, Authentication, Authentication-International, Service";

// Lowercase ASCII; runs of whitespace (newlines included), '-' and '_' become one space.
std::string normalizedHeader(std::string_view cell) {
  std::string out;
  bool pending_space = false;
  for (char c : cell) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-' || c == '_') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::optional<CalendarDate> isoDateIn(std::string_view text) {
  for (std::size_t at = 0; at + 10 <= text.size(); ++at) {
    if (at > 0 && isDigit(text[at - 1])) continue;
    if (at + 10 < text.size() && isDigit(text[at + 10])) continue;
    if (auto date = CalendarDate::parseIso(text.substr(at, 10))) return date;
  }
  return std::nullopt;
}

// 1..12 for an English month name or its abbreviation ("jul", "sept"), lowercase; 0 otherwise.
int monthNumber(const std::string& word) {
  static const std::array<std::string_view, 12> kMonths = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (word == kMonths[i] || (word.size() >= 3 && kMonths[i].starts_with(word))) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

std::optional<CalendarDate> namedDateIn(std::string_view text) {
  // Words: runs of letters or of digits; everything else (",", ".", spaces) separates them.
  struct Word {
    std::string text;
    bool digits;
  };
  std::vector<Word> words;
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (std::isalpha(byte) || std::isdigit(byte)) {
      const bool digits = std::isdigit(byte) != 0;
      std::size_t end = at;
      while (end < text.size() && (digits ? std::isdigit(static_cast<unsigned char>(text[end]))
                                          : std::isalpha(static_cast<unsigned char>(text[end])))) {
        ++end;
      }
      words.push_back({lowerAscii(text.substr(at, end - at)), digits});
      at = end;
    } else {
      ++at;
    }
  }
  const auto day = [](const Word& w) {
    return w.digits && w.text.size() <= 2 ? std::stoi(w.text) : 0;
  };
  const auto year = [](const Word& w) {
    return w.digits && w.text.size() == 4 ? std::stoi(w.text) : 0;
  };
  for (std::size_t i = 0; i + 2 < words.size(); ++i) {
    // "July 1, 2025"
    if (int month = monthNumber(words[i].text);
        month != 0 && day(words[i + 1]) && year(words[i + 2])) {
      if (auto date = CalendarDate::of(year(words[i + 2]), month, day(words[i + 1]))) return date;
    }
    // "1 July 2025"
    if (int month = monthNumber(words[i + 1].text);
        month != 0 && day(words[i]) && year(words[i + 2])) {
      if (auto date = CalendarDate::of(year(words[i + 2]), month, day(words[i]))) return date;
    }
  }
  return std::nullopt;
}

struct Header {
  std::size_t line = 0;
  std::size_t record_index = 0;
  std::array<std::size_t, kColumnCount> cell_of{};  // column -> cell index
  std::size_t cells = 0;                            // cells of the header record
};

bool looksLikeHeader(const CsvRecord& record) {
  return std::any_of(record.cells.begin(), record.cells.end(),
                     [](const std::string& cell) { return normalizedHeader(cell) == "market"; });
}

Header readHeader(const std::vector<CsvRecord>& records, std::string_view source) {
  const auto found = std::find_if(records.begin(), records.end(), looksLikeHeader);
  if (found == records.end()) {
    const std::size_t line = records.size() > kMetadataRows ? records[kMetadataRows].line
                             : records.empty()              ? 0
                                                            : records.back().line;
    throw InputFileError(fileLocation(source, line) + "no header row: expected \"" +
                         std::string(kExpectedHeader) + "\" after " +
                         std::to_string(kMetadataRows) + " metadata rows");
  }
  Header header;
  header.line = found->line;
  header.record_index = static_cast<std::size_t>(found - records.begin());
  header.cells = found->cells.size();
  std::array<bool, kColumnCount> seen{};
  for (std::size_t i = 0; i < found->cells.size(); ++i) {
    const std::string name = normalizedHeader(found->cells[i]);
    if (name.empty()) continue;  // spreadsheets pad rows with empty cells
    const auto column = std::find_if(kColumns.begin(), kColumns.end(),
                                     [&name](const ColumnName& c) { return c.normalized == name; });
    if (column == kColumns.end()) {
      throw InputFileError(fileLocation(source, header.line) + "unknown column " +
                           quotedText(found->cells[i]) + " in the header (cell " +
                           std::to_string(i + 1) + "); expected \"" + std::string(kExpectedHeader) +
                           "\"");
    }
    const auto index = static_cast<std::size_t>(column - kColumns.begin());
    if (seen[index]) {
      throw InputFileError(fileLocation(source, header.line) + "column " +
                           std::string(column->shown) + " appears twice in the header");
    }
    seen[index] = true;
    header.cell_of[index] = i;
  }
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    if (!seen[c]) {
      throw InputFileError(fileLocation(source, header.line) + "the header has no " +
                           std::string(kColumns[c].shown) + " column; expected \"" +
                           std::string(kExpectedHeader) + "\"");
    }
  }
  return header;
}

std::string cellLocation(std::string_view source, std::size_t line, std::size_t column) {
  return std::string(source) + " line " + std::to_string(line) + ", column " +
         std::string(kColumns[column].shown) + ": ";
}

struct DatedLine {
  std::size_t line;
  CalendarDate date;
};

// The effective date the metadata rows name: the only date on a row saying "effective", else the
// only date at all. nullopt when none; InputFileError when two rows disagree.
std::optional<DatedLine> metadataDate(const std::vector<CsvRecord>& records, std::size_t count,
                                      std::string_view source) {
  std::vector<DatedLine> dated;
  std::vector<DatedLine> effective;
  for (std::size_t i = 0; i < count; ++i) {
    std::string text;
    for (const std::string& cell : records[i].cells) text += cell + " ";
    std::optional<CalendarDate> date = isoDateIn(text);
    if (!date) date = namedDateIn(text);
    if (!date) continue;
    dated.push_back({records[i].line, *date});
    if (lowerAscii(text).find("effective") != std::string::npos) {
      effective.push_back({records[i].line, *date});
    }
  }
  const std::vector<DatedLine>& candidates = effective.empty() ? dated : effective;
  if (candidates.empty()) return std::nullopt;
  for (const DatedLine& other : candidates) {
    if (other.date != candidates.front().date) {
      throw InputFileError(fileLocation(source, other.line) + "the metadata names " +
                           other.date.iso() + " here and " + candidates.front().date.iso() +
                           " on line " + std::to_string(candidates.front().line) +
                           ": give the effective date with --effective-from YYYY-MM-DD");
    }
  }
  return candidates.front();
}

}  // namespace

std::optional<CalendarDate> dateInText(std::string_view text) {
  if (auto date = isoDateIn(text)) return date;
  return namedDateIn(text);
}

std::size_t MetaRateCard::missingCount() const {
  std::size_t missing = 0;
  for (const MarketRates& market : markets) {
    missing += static_cast<std::size_t>(
        std::count(market.rates_micros.begin(), market.rates_micros.end(), std::nullopt));
  }
  return missing;
}

MetaRateCard parseMetaPricingCsv(std::string_view text, const MetaPricingOptions& options) {
  const std::string_view source = options.source_name;
  const std::vector<CsvRecord> records = readCsv(text, source);
  const Header header = readHeader(records, source);

  MetaRateCard card;

  // The effective date.
  const std::optional<DatedLine> file_date = metadataDate(records, header.record_index, source);
  if (file_date && options.effective_from && *options.effective_from != file_date->date) {
    throw InputFileError(fileLocation(source, file_date->line) + "the file is effective " +
                         file_date->date.iso() + " but --effective-from says " +
                         options.effective_from->iso());
  }
  if (file_date) {
    card.effective_from = file_date->date;
  } else if (options.effective_from) {
    card.effective_from = *options.effective_from;
  } else {
    throw InputFileError(
        fileLocation(source, 0) + "the file names no effective date in its " +
        std::to_string(header.record_index) + " metadata rows (before the header on line " +
        std::to_string(header.line) + "): give it with --effective-from YYYY-MM-DD");
  }

  // The market rows.
  std::optional<std::string> currency;  // from the first row that names one
  std::size_t currency_line = 0;
  std::map<std::string, std::size_t, std::less<>> market_lines;
  for (std::size_t r = header.record_index + 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    if (record.blank()) continue;
    const std::size_t max_cell = *std::max_element(header.cell_of.begin(), header.cell_of.end());
    if (record.cells.size() <= max_cell) {
      throw InputFileError(fileLocation(source, record.line) + "the row has " +
                           std::to_string(record.cells.size()) + " cells, the header (line " +
                           std::to_string(header.line) + ") has " + std::to_string(max_cell + 1));
    }
    for (std::size_t i = 0; i < record.cells.size(); ++i) {
      const bool named =
          std::find(header.cell_of.begin(), header.cell_of.end(), i) != header.cell_of.end();
      if (!named && !trimmed(record.cells[i]).empty()) {
        throw InputFileError(fileLocation(source, record.line) + "cell " + std::to_string(i + 1) +
                             " " + quotedText(record.cells[i]) +
                             " is under no column of the header (line " +
                             std::to_string(header.line) + ")");
      }
    }
    const auto cell = [&](std::size_t column) {
      return trimmed(record.cells[header.cell_of[column]]);
    };

    MarketRates row;
    row.line = record.line;
    row.market = std::string(cell(kMarket));
    if (row.market.empty()) {
      throw InputFileError(cellLocation(source, record.line, kMarket) + "the market name is empty");
    }
    if (utf8Length(row.market) > kMaxMarketChars) {
      throw InputFileError(cellLocation(source, record.line, kMarket) + "market name " +
                           quotedText(row.market) + " is longer than 47 characters");
    }
    if (auto [it, inserted] = market_lines.emplace(row.market, record.line); !inserted) {
      throw InputFileError(fileLocation(source, record.line) + "market " + quotedText(row.market) +
                           " is listed twice (also on line " + std::to_string(it->second) + ")");
    }

    if (const std::string_view token = cell(kCurrency); !token.empty()) {
      const std::optional<std::string> code = isoCurrencyOf(token);
      if (!code) {
        throw InputFileError(cellLocation(source, record.line, kCurrency) +
                             "unknown currency token " + quotedText(token) +
                             ": expected an ISO 4217 code (USD) or a symbol Meta writes ($US, "
                             "US$, \u20ac, \u00a3, \u20b9, Rp, A$, MX$, R$...)");
      }
      if (!currency) {
        if (options.currency && *options.currency != *code) {
          throw InputFileError(cellLocation(source, record.line, kCurrency) + "the file says " +
                               *code + " (" + quotedText(token) + ") but --currency says " +
                               *options.currency);
        }
        currency = code;
        currency_line = record.line;
      } else if (*code != *currency) {
        throw InputFileError(cellLocation(source, record.line, kCurrency) + *code + " (" +
                             quotedText(token) + ") differs from " + *currency + " on line " +
                             std::to_string(currency_line) + ": one file holds one currency");
      }
    }

    for (std::size_t k = 0; k < kCategoryCount; ++k) {
      const std::size_t column = kFirstRate + k;
      const std::string_view value = cell(column);
      if (lowerAscii(value) == "n/a") continue;  // no rate
      const auto parsed = parseDecimalMicros(value);
      if (const auto* error = std::get_if<DecimalError>(&parsed)) {
        throw InputFileError(cellLocation(source, record.line, column) + error->message +
                             " (market " + quotedText(row.market) + ")");
      }
      row.rates_micros[k] = std::get<std::int64_t>(parsed);
    }
    card.markets.push_back(std::move(row));
  }
  if (card.markets.empty()) {
    throw InputFileError(fileLocation(source, header.line) + "no market rows after the header");
  }

  if (currency) {
    card.currency = *currency;
  } else if (options.currency) {
    card.currency = *options.currency;
  } else {
    throw InputFileError(fileLocation(source, 0) +
                         "the file names no currency (its Currency column is empty): give it "
                         "with --currency XXX (ISO 4217, e.g. USD)");
  }
  return card;
}

}  // namespace creditgate::admin
