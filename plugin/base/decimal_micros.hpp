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

// Money as people read it: exact, in the currency's own way (its ISO 4217 minor units, 0..6),
// never rounded. 12500000 micros of EUR (2) is "12.50", of JPY (0) "12.5" (a price below the minor
// unit is shown to the micro-unit rather than rounded away), 1500000000 of JPY "1500", 12345 of EUR
// "0.012345": formatMicros's text less the zeros past the minor units, and the point with them
// when nothing follows it. At least `minor_units` decimals, more only where the amount has
// non-zero micro digits.
std::string formatMicrosIn(std::int64_t micros, int minor_units);

// formatMicrosIn's trimming on its own, for amounts that may not fit int64 (PostgreSQL numeric):
// `six_decimals` is text as formatMicros writes it, an optional '-', digits, '.', six digits.
std::string dropZerosPastMinorUnits(std::string six_decimals, int minor_units);

}  // namespace creditgate
