// A table as creditctl prints it for people: a header row, then rows, each column as wide as its
// widest cell, two spaces apart; numbers right-aligned so their decimal points line up.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace creditgate::ctl {

class TextTable {
 public:
  enum class Align { left, right };
  struct Column {
    std::string title;
    Align align = Align::left;
  };

  explicit TextTable(std::vector<Column> columns);

  // One cell per column; cells are printed as given (callers make untrusted text printable).
  void addRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // Every line starts with `indent`; trailing spaces are not printed.
  void print(std::ostream& out, const std::string& indent = "") const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace creditgate::ctl
