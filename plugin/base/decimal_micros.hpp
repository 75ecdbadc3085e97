// Exact decimal text <-> int64 micro-units. Money never passes through floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace creditgate {

struct DecimalError {
  std::string message;  // e.g. "'1e3' is not a plain decimal number"
};

struct DecimalOptions {
  bool allow_negative = false;
};

// Parses "12", "12.5", "0.000001", "-3.25" (only with allow_negative) into micro-units.
// Refused, with a message quoting the text: empty, exponents, more than 6 decimals, a leading '+',
// whitespace, a lone '.', thousands separators, and values outside int64 micro-units.
std::variant<std::int64_t, DecimalError> parseDecimalMicros(std::string_view text,
                                                            DecimalOptions options = {});

// 12500000 -> "12.500000"; -1 -> "-0.000001". Always 6 decimals; exact for every int64.
std::string formatMicros(std::int64_t micros);

}  // namespace creditgate
