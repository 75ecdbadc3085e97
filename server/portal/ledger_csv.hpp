// The ledger download: RFC 4180 CSV, one header line, then entries newest first. Amounts use
// creditctl's exact six decimals (12.500000), in the tenant's currency, so that columns sum exactly
// in any tool. Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
// apostrophe, except a plain signed number such as a recipient's +14155550100.
#pragma once

#include <string>
#include <vector>

#include "portal_rows.hpp"

namespace creditgate::server {

std::string ledgerCsvHeader();
// Appends one line per row.
void appendLedgerCsv(std::string& out, const std::vector<LedgerRow>& rows,
                     const std::string& currency);

// A CSV field: quoted when it holds a comma, quote or line break; formula triggers neutralised.
std::string csvField(std::string_view text);

}  // namespace creditgate::server
