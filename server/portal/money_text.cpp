#include "money_text.hpp"

#include <algorithm>

#include "decimal_micros.hpp"

namespace creditgate::server {
namespace {

// "12.500000" -> "12.50" for 2 minor units, "12.5" for 0: the zeros past the currency's minor
// units go, and the point with them when nothing follows it.
std::string dropZerosPastMinorUnits(std::string text, int minor_units) {
  const std::size_t keep =
      text.find('.') + 1 + static_cast<std::size_t>(std::clamp(minor_units, 0, 6));
  while (text.size() > keep && text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

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
  // creditctl's exact text ("12.500000"), less the zeros past the currency's minor units.
  return dropZerosPastMinorUnits(formatMicros(micros), minor_units);
}

}  // namespace creditgate::server
