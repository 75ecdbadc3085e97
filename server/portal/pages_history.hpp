// A tenant's history pages: the ledger (every top-up, debit, refund; paged, filtered by UTC days,
// downloadable as CSV) and the campaign batches (sent, flagged, partial, blocked). Paging is by
// cursor (the last row shown), so a row written meanwhile neither repeats nor hides another.
#pragma once

#include <string>
#include <vector>

#include "portal_rows.hpp"

namespace creditgate::server {

struct DayRange {
  std::string from, to;  // "YYYY-MM-DD" or "" (open)
};

struct LedgerInput {
  AccountView account;
  DayRange range;
  std::vector<LedgerRow> rows;  // one page, newest first
  bool has_older = false;
  bool paged = false;  // not the first page: offer the way back to the newest
};

std::string ledgerMain(const LedgerInput& input);

struct BatchesInput {
  AccountView account;
  DayRange range;
  std::vector<BatchRow> rows;
  bool has_older = false;
  bool paged = false;
};

std::string batchesMain(const BatchesInput& input);

// The query string of a page of `tab` with this range ("" when open), and a cursor.
std::string rangeQuery(const DayRange& range);

// The date-range filter both pages (and the spend page) show.
std::string rangeForm(const std::string& action, const DayRange& range, bool required);

}  // namespace creditgate::server
