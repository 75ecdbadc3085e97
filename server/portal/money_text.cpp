#include "money_text.hpp"

#include <algorithm>

#include "decimal_micros.hpp"

namespace creditgate::server {

std::optional<std::string> formatMoneyText(std::string_view micros, int minor_units) {
  const bool negative = !micros.empty() && micros.front() == '-';
  std::string_view digits = negative ? micros.substr(1) : micros;
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  // formatMicros's text for a number of any size: at least one digit before six decimals.
  std::string padded(digits.size() < 7 ? 7 - digits.size() : 0, '0');
  padded += digits;
  padded.insert(padded.size() - 6, 1, '.');
  const bool zero = padded.find_first_not_of("0.") == std::string::npos;
  return dropZerosPastMinorUnits((negative && !zero ? "-" : "") + padded, minor_units);
}

std::string formatMoney(std::int64_t micros, int minor_units) {
  return formatMicrosIn(micros, minor_units);
}

}  // namespace creditgate::server
