#include "report_fields.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <stdexcept>

#include "decimal_micros.hpp"
#include "quoted_text.hpp"

namespace creditgate::ctl {

std::string microsText(std::string_view integer) {
  const bool negative = integer.starts_with('-');
  std::string digits(integer.substr(negative ? 1 : 0));
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw std::runtime_error("not a whole number of micro-units: " + quotedText(integer));
  }
  if (digits.size() < 7) digits.insert(0, 7 - digits.size(), '0');
  digits.insert(digits.size() - 6, 1, '.');
  return (negative ? "-" : "") + digits;
}

std::string shortTime(std::string_view iso) {
  std::string text(iso.substr(0, 19));
  if (text.size() > 10 && text[10] == 'T') text[10] = ' ';
  return text;
}

std::string cellText(const pqxx::field& field, std::size_t max_chars) {
  if (field.is_null()) return "-";
  return printableText(field.c_str(), max_chars);
}

boost::json::value jsonText(const pqxx::field& field) {
  if (field.is_null()) return nullptr;
  return boost::json::value(field.c_str());
}

std::string money(std::int64_t micros, std::string_view currency) {
  return formatMicros(micros) + " " + std::string(currency);
}

void putMoney(boost::json::object& json, std::string_view name, std::int64_t micros) {
  json[name] = formatMicros(micros);
  json[std::string(name) + "_micros"] = std::to_string(micros);
}

void putMoneyText(boost::json::object& json, std::string_view name, std::string_view integer) {
  json[name] = microsText(integer);  // checks that `integer` is a whole number
  json[std::string(name) + "_micros"] = integer;
}

std::string truncationNotice(std::size_t shown, std::int64_t matching, std::string_view noun) {
  return "showing the newest " + std::to_string(shown) + " of " + std::to_string(matching) + " " +
         std::string(noun) + " (--limit N shows more)";
}

}  // namespace creditgate::ctl
