#include "csv_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace creditgate::admin {

std::string fileLocation(std::string_view source_name, std::size_t line) {
  std::string out(source_name);
  if (line > 0) out += " line " + std::to_string(line);
  return out + ": ";
}

bool CsvRecord::blank() const {
  return std::all_of(cells.begin(), cells.end(),
                     [](const std::string& cell) { return trimmed(cell).empty(); });
}

std::string_view trimmed(std::string_view cell) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t'; };
  while (!cell.empty() && isSpace(cell.front())) cell.remove_prefix(1);
  while (!cell.empty() && isSpace(cell.back())) cell.remove_suffix(1);
  return cell;
}

std::vector<CsvRecord> readCsvFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputFileError(path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return readCsv(text.str(), path);
}

std::vector<CsvRecord> readCsv(std::string_view text, std::string_view source_name) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);

  std::vector<CsvRecord> records;
  std::size_t line = 1;
  std::size_t pos = 0;
  while (pos < text.size()) {
    CsvRecord record{line, {}};
    std::string cell;
    bool record_done = false;
    while (!record_done) {
      if (pos < text.size() && text[pos] == '"') {
        const std::size_t opened_on = line;
        ++pos;
        for (;;) {
          if (pos >= text.size()) {
            throw InputFileError(fileLocation(source_name, opened_on) +
                                 "a quoted cell is never closed (missing '\"')");
          }
          const char c = text[pos++];
          if (c == '"') {
            if (pos < text.size() && text[pos] == '"') {
              cell += '"';
              ++pos;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          cell += c;
        }
        // After a closing quote only a separator or the end of the record may follow.
        if (pos < text.size() && text[pos] != ',' && text[pos] != '\n' &&
            !(text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') &&
            !(text[pos] == '\r' && pos + 1 == text.size())) {
          throw InputFileError(fileLocation(source_name, line) +
                               "unexpected text after a closing quote in cell " +
                               std::to_string(record.cells.size() + 1));
        }
      } else {
        while (pos < text.size() && text[pos] != ',' && text[pos] != '\n' &&
               !(text[pos] == '\r' && (pos + 1 == text.size() || text[pos + 1] == '\n'))) {
          if (text[pos] == '"') {
            throw InputFileError(fileLocation(source_name, line) + "a quote inside unquoted cell " +
                                 std::to_string(record.cells.size() + 1) +
                                 " (quote the whole cell and double the quote)");
          }
          cell += text[pos++];
        }
      }
      record.cells.push_back(std::move(cell));
      cell.clear();
      if (pos >= text.size()) {
        record_done = true;
      } else if (text[pos] == ',') {
        ++pos;
      } else {  // end of line: "\n", "\r\n" or a final "\r"
        if (text[pos] == '\r') ++pos;
        if (pos < text.size() && text[pos] == '\n') ++pos;
        ++line;
        record_done = true;
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace creditgate::admin
