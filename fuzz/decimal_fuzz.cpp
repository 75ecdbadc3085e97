// parseDecimalMicros and formatMicros. Besides not crashing:
//  - whatever parses formats to text that parses back to the same value (with or without the sign
//    allowed, as the value needs), and that text has exactly 6 decimals;
//  - without allow_negative nothing negative comes back; with it, the same text gives the same value;
//  - an error quotes the text in printable ASCII, shortened;
//  - the first 8 bytes, read as an int64, round-trip through formatMicros (every int64 is exact).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <variant>

#include "decimal_micros.hpp"
#include "fuzz_check.hpp"

namespace {

using creditgate::DecimalError;
using creditgate::fuzz::check;

constexpr std::size_t kMaxErrorBytes = 160;  // a quote of at most 40 escaped bytes, plus the reason

void checkRoundTrip(std::int64_t value) {
  const std::string text = creditgate::formatMicros(value);
  const std::size_t dot = text.find('.');
  check(dot != std::string::npos && text.size() - dot - 1 == 6, "formatMicros writes 6 decimals",
        text);
  const auto again = creditgate::parseDecimalMicros(text, {.allow_negative = value < 0});
  check(std::holds_alternative<std::int64_t>(again), "formatMicros output parses", text);
  check(std::get<std::int64_t>(again) == value, "formatMicros output parses to the same value",
        text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto strict = creditgate::parseDecimalMicros(text);
  const auto signed_ = creditgate::parseDecimalMicros(text, {.allow_negative = true});

  if (const auto* value = std::get_if<std::int64_t>(&strict)) {
    check(*value >= 0, "without allow_negative the value is >= 0", std::string(text));
    check(std::holds_alternative<std::int64_t>(signed_) && std::get<std::int64_t>(signed_) == *value,
          "allow_negative does not change a non-negative value", std::string(text));
  }
  for (const auto* result : {&strict, &signed_}) {
    if (const auto* value = std::get_if<std::int64_t>(result)) {
      checkRoundTrip(*value);
    } else {
      const std::string& message = std::get<DecimalError>(*result).message;
      check(creditgate::fuzz::printableAscii(message), "a decimal error is printable ASCII", message);
      check(message.size() <= kMaxErrorBytes, "a decimal error is short", message);
    }
  }

  if (size >= sizeof(std::int64_t)) {
    std::int64_t raw = 0;
    std::memcpy(&raw, data, sizeof raw);
    checkRoundTrip(raw);
  }
  return 0;
}
