#include "ledger_csv.hpp"

#include <algorithm>

#include "decimal_micros.hpp"

namespace creditgate::server {
namespace {

bool plainSignedNumber(std::string_view text) {
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return false;
  return std::all_of(text.begin() + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string csvField(std::string_view text) {
  std::string value;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos &&
      !plainSignedNumber(text)) {
    value = "'";
  }
  value += text;
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string ledgerCsvHeader() {
  return "entry_id,created_at,kind,amount,balance_after,currency,batch_id,recipient,reference,"
         "note\r\n";
}

void appendLedgerCsv(std::string& out, const std::vector<LedgerRow>& rows,
                     const std::string& currency) {
  for (const LedgerRow& row : rows) {
    out += std::to_string(row.entry_id);
    out += ',' + row.created_at + ',' + csvField(row.kind) + ',';
    out += formatMicros(row.amount_micros) + ',' + formatMicros(row.balance_after_micros) + ',';
    out += csvField(currency) + ',' + csvField(row.batch_id) + ',' + csvField(row.recipient) + ',';
    out += csvField(row.reference) + ',' + csvField(row.note) + "\r\n";
  }
}

}  // namespace creditgate::server
