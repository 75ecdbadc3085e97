// RFC 4180 CSV, as spreadsheets and Meta's rate-card downloads write it: quoted cells may hold
// commas, "" (one quote) and newlines; lines end in LF or CRLF. Every record remembers the physical
// line it starts on, so a message about a cell can name the line an admin sees in an editor.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace creditgate::admin {

// Something wrong with an input file, located: the message starts "FILE line N: ...".
class InputFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "pricing.csv line 7: " (no line part when `line` is 0).
std::string fileLocation(std::string_view source_name, std::size_t line);

struct CsvRecord {
  std::size_t line = 0;  // 1-based physical line where the record starts
  std::vector<std::string> cells;

  // True when every cell is empty or only spaces/tabs (also an empty line).
  bool blank() const;
};

// Splits `text` into records. A UTF-8 byte-order mark at the start is dropped. Throws
// InputFileError for a quote that is never closed (naming the line it opened on) and for a quote
// inside an unquoted cell or text right after a closing quote.
std::vector<CsvRecord> readCsv(std::string_view text, std::string_view source_name);

// The records of the whole file at `path`, as readCsv splits them (named by the path); throws
// InputFileError when the file cannot be read. For the shipped data files (data/*.csv).
std::vector<CsvRecord> readCsvFile(const std::string& path);

// The cell without leading and trailing spaces and tabs.
std::string_view trimmed(std::string_view cell);

}  // namespace creditgate::admin
