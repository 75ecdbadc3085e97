#include "recipient.hpp"

#include <cstddef>

#include "calling_codes.hpp"
#include "quoted_text.hpp"

namespace creditgate {

namespace {

constexpr std::size_t kMinDigits = 7;
constexpr std::size_t kMaxDigits = 15;
// Output characters of the quoted input; with the longest explanation the reason stays near 100.
constexpr std::size_t kMaxQuotedChars = 40;

}  // namespace

std::optional<std::string> e164Problem(std::string_view text) {
  if (text.empty()) return std::string{"recipient is empty; expected E.164 like '+4915112345678'"};
  if (text[0] != '+') return quotedText(text, kMaxQuotedChars) + " does not start with '+' (E.164)";

  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      // 1-based, counting the '+', as a person reading the number would count.
      return quotedText(text, kMaxQuotedChars) + " has a non-digit at position " +
             std::to_string(i + 1);
    }
  }
  const std::size_t digits = text.size() - 1;
  if (digits < kMinDigits || digits > kMaxDigits) {
    return quotedText(text, kMaxQuotedChars) + " has " + std::to_string(digits) +
           " digits; E.164 needs 7 to 15";
  }
  if (text[1] == '0') {
    return quotedText(text, kMaxQuotedChars) + " starts with 0 after '+'; no calling code does";
  }
  // A spare or reserved code (+999, +28x, +80x...) reaches no one; priced, it would silently be
  // billed at the Other rate.
  if (assignedCallingCodeLength(text.substr(1)) == 0) {
    return quotedText(text, kMaxQuotedChars) + " has an unassigned country calling code";
  }
  return std::nullopt;
}

}  // namespace creditgate
