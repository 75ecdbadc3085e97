#include "calling_codes.hpp"

#include <array>

namespace creditgate {
namespace {

// Generated from data/itu_calling_codes_2025.csv by plugin/itu_calling_codes.cmake.
// A code never starts with 0, so its value also gives its length (7, 20, 211: 1, 2, 3 digits).
constexpr std::uint16_t kAssigned[] = {
#include "itu_calling_codes_2025.inc"
};

constexpr std::size_t kIndexSize = 1000;  // every possible first three digits

constexpr std::size_t digitCount(std::uint16_t code) {
  return code < 10 ? 1 : code < 100 ? 2 : 3;
}

// Not constexpr on purpose: reaching one while building the index stops the build, and the
// compiler names the function in its error.
void ituCallingCodeIsNot1To999(std::uint16_t) {}
void ituCallingCodeIsListedTwiceOrStartsAnother(std::uint16_t) {}

// Calling codes form a prefix code (no assigned code begins another), so the first three digits
// of any number name at most one of them: the index holds, for each, the length of that code.
consteval std::array<std::uint8_t, kIndexSize> buildIndex() {
  std::array<std::uint8_t, kIndexSize> index{};
  for (const std::uint16_t code : kAssigned) {
    if (code == 0 || code >= kIndexSize) ituCallingCodeIsNot1To999(code);
    const std::size_t digits = digitCount(code);
    const std::size_t covers = digits == 1 ? 100 : digits == 2 ? 10 : 1;
    for (std::size_t first3 = code * covers; first3 < (code + 1u) * covers; ++first3) {
      if (index[first3] != 0) ituCallingCodeIsListedTwiceOrStartsAnother(code);
      index[first3] = static_cast<std::uint8_t>(digits);
    }
  }
  return index;
}

constexpr std::array<std::uint8_t, kIndexSize> kLengthByFirstThreeDigits = buildIndex();

}  // namespace

std::size_t assignedCallingCodeLength(std::string_view digits) noexcept {
  // Shorter input is padded with 0s: it then matches only a code that fits in it.
  std::size_t first3 = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const unsigned digit = i < digits.size() ? static_cast<unsigned>(digits[i] - '0') : 0u;
    if (digit > 9) return 0;
    first3 = first3 * 10 + digit;
  }
  const std::size_t length = kLengthByFirstThreeDigits[first3];
  return length <= digits.size() ? length : 0;
}

std::span<const std::uint16_t> assignedCallingCodes() noexcept {
  return kAssigned;
}

}  // namespace creditgate
