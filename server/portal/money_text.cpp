#include "money_text.hpp"

#include <algorithm>

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
  // Through the text form: std::to_string is exact for every int64, including its minimum.
  return *formatMoneyText(std::to_string(micros), minor_units);
}

}  // namespace creditgate::server
