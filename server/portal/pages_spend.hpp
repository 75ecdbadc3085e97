// A tenant's spending by market and category over chosen UTC days: a stacked bar chart drawn by
// the server as inline SVG (no script, no CDN: it works offline and without JavaScript), with the
// same figures as a table for screen readers and for copying.
#pragma once

#include <string>
#include <vector>

#include "pages_history.hpp"
#include "portal_rows.hpp"

namespace creditgate::server {

struct SpendInput {
  AccountView account;
  DayRange range;  // both days set
  std::vector<SpendRow> rows;
};

std::string spendMain(const SpendInput& input);

// The chart alone (tested on its own): one bar per market, longest first, a segment per category,
// widths in whole pixels from integer arithmetic.
std::string spendChartSvg(const std::vector<SpendRow>& rows, const AccountView& account);

}  // namespace creditgate::server
