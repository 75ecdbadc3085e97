#include "currency_token.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace creditgate::admin {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 35> kTokens = {{
    {"$US", "USD"},      {"US$", "USD"},    {"\u20ac", "EUR"}, {"\u00a3", "GBP"},
    {"\u20b9", "INR"},   {"Rp", "IDR"},     {"A$", "AUD"},     {"AU$", "AUD"},
    {"MX$", "MXN"},      {"Mex$", "MXN"},   {"R$", "BRL"},     {"C$", "CAD"},
    {"CA$", "CAD"},      {"S$", "SGD"},     {"HK$", "HKD"},    {"NZ$", "NZD"},
    {"AR$", "ARS"},      {"COL$", "COP"},   {"CO$", "COP"},    {"CLP$", "CLP"},
    {"CL$", "CLP"},      {"S/", "PEN"},     {"S/.", "PEN"},    {"JP\u00a5", "JPY"},
    {"CN\u00a5", "CNY"}, {"\u20a9", "KRW"}, {"\u20aa", "ILS"}, {"\u20ba", "TRY"},
    {"\u20bd", "RUB"},   {"\u20a6", "NGN"}, {"\u20b1", "PHP"}, {"\u0e3f", "THB"},
    {"\u20ab", "VND"},   {"US $", "USD"},   {"$ US", "USD"},
}};

bool isIsoCode(std::string_view token) {
  return token.size() == 3 &&
         std::all_of(token.begin(), token.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

std::optional<std::string> isoCurrencyOf(std::string_view token) {
  if (isIsoCode(token)) return std::string(token);
  for (const auto& [spelling, code] : kTokens) {
    if (token == spelling) return std::string(code);
  }
  return std::nullopt;
}

}  // namespace creditgate::admin
