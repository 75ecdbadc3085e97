#include "decimal_micros.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>

#include "quoted_text.hpp"

namespace creditgate {

namespace {

constexpr std::uint64_t kMicrosPerUnit = 1'000'000;
constexpr std::size_t kMaxDecimals = 6;
// Longest stretch of the input quoted in a message; rate-card cells are short, garbage may not be.
constexpr std::size_t kMaxQuotedChars = 40;

DecimalError refuse(std::string_view text, std::string_view why) {
  return DecimalError{quotedText(text, kMaxQuotedChars) + " " + std::string(why)};
}

bool isDigit(char c) noexcept {
  return c >= '0' && c <= '9';
}

}  // namespace

// Grammar: ['-'] digit+ ['.' digit{1,6}]. Strict on purpose: "1." and ".5" are refused although
// they are unambiguous, because a rate card or config that writes them was probably produced by a
// tool we did not expect, and money is the wrong place to guess. Leading zeros ("007.5") are
// accepted: they do not change the value.
std::variant<std::int64_t, DecimalError> parseDecimalMicros(std::string_view text,
                                                            DecimalOptions options) {
  if (text.empty()) return DecimalError{"'' is empty, not a decimal number"};

  std::size_t pos = 0;
  const bool negative = text[0] == '-';
  if (negative) {
    if (!options.allow_negative) return refuse(text, "is negative; only amounts >= 0 are allowed");
    pos = 1;
  }

  // Magnitude limit: INT64_MIN has one more unit of magnitude than INT64_MAX.
  const std::uint64_t limit =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
  const auto outOfRange = [&] { return refuse(text, "is outside the range of int64 micro-units"); };
  const auto notPlain = [&] { return refuse(text, "is not a plain decimal number"); };

  const std::size_t int_begin = pos;
  std::uint64_t units = 0;
  while (pos < text.size() && isDigit(text[pos])) {
    const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
    if (__builtin_mul_overflow(units, 10, &units) || __builtin_add_overflow(units, digit, &units)) {
      return outOfRange();
    }
    ++pos;
  }
  if (pos == int_begin) return notPlain();  // "", "-", ".5", "+1", " 1", "x"

  std::uint64_t fraction = 0;
  std::size_t decimals = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t frac_begin = pos;
    while (pos < text.size() && isDigit(text[pos])) {
      if (pos - frac_begin == kMaxDecimals) {
        return refuse(text, "has more than 6 decimals (micro-unit precision)");
      }
      fraction = fraction * 10 + static_cast<std::uint64_t>(text[pos] - '0');
      ++pos;
    }
    decimals = pos - frac_begin;
    if (decimals == 0) return notPlain();  // "1.", "1.e3"
  }
  if (pos != text.size()) return notPlain();  // exponents, separators, whitespace, "0x10"

  for (std::size_t i = decimals; i < kMaxDecimals; ++i) fraction *= 10;

  std::uint64_t magnitude = 0;
  if (__builtin_mul_overflow(units, kMicrosPerUnit, &magnitude) ||
      __builtin_add_overflow(magnitude, fraction, &magnitude) || magnitude > limit) {
    return outOfRange();
  }
  // Two's complement negation in unsigned arithmetic keeps INT64_MIN exact.
  return negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
}

std::string formatMicros(std::int64_t micros) {
  // Work on the unsigned magnitude: -INT64_MIN does not exist in int64.
  const bool negative = micros < 0;
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
  std::string fraction = std::to_string(magnitude % kMicrosPerUnit);
  fraction.insert(0, kMaxDecimals - fraction.size(), '0');
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / kMicrosPerUnit);
  out += '.';
  out += fraction;
  return out;
}

std::string formatMicrosIn(std::int64_t micros, int minor_units) {
  return dropZerosPastMinorUnits(formatMicros(micros), minor_units);
}

std::string dropZerosPastMinorUnits(std::string six_decimals, int minor_units) {
  const std::size_t keep = six_decimals.find('.') + 1 +
                           static_cast<std::size_t>(std::clamp(minor_units, 0, int{kMaxDecimals}));
  while (six_decimals.size() > keep && six_decimals.back() == '0') six_decimals.pop_back();
  if (six_decimals.back() == '.') six_decimals.pop_back();
  return six_decimals;
}

}  // namespace creditgate
