#include "pg_array.hpp"

#include <charconv>

namespace creditgate {

std::string pgTextArray(std::span<const std::string_view> values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string pgBigintArray(std::span<const std::int64_t> values) {
  std::string out;
  out.reserve(values.size() * 8 + 2);
  out += '{';
  char digits[24];
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, values[i]);
    out.append(digits, end);
  }
  out += '}';
  return out;
}

std::string pgBoolArray(std::span<const bool> values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += values[i] ? 't' : 'f';
  }
  out += '}';
  return out;
}

}  // namespace creditgate
