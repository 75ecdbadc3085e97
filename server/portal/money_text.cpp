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
  std::string padded(digits.size() < 7 ? 7 - digits.size() : 0, '0');
  padded += digits;
  const std::string whole = padded.substr(0, padded.size() - 6);
  std::string fraction = padded.substr(padded.size() - 6);
  const std::size_t keep = static_cast<std::size_t>(std::clamp(minor_units, 0, 6));
  while (fraction.size() > keep && fraction.back() == '0') fraction.pop_back();
  const bool zero = whole == "0" && fraction.find_first_not_of('0') == std::string::npos;
  std::string out = negative && !zero ? "-" : "";
  out += whole;
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

std::string formatMoney(std::int64_t micros, int minor_units) {
  // creditctl's exact text ("12.500000"), less the zeros past the currency's minor units.
  std::string text = formatMicros(micros);
  const std::size_t keep = text.find('.') + 1 + static_cast<std::size_t>(std::clamp(minor_units, 0, 6));
  while (text.size() > keep && text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace creditgate::server
