#include "recipient.hpp"

#include <cstddef>

namespace creditgate {

namespace {

constexpr std::size_t kMinDigits = 7;
constexpr std::size_t kMaxDigits = 15;
// Output characters of the quoted input; with the longest explanation the reason stays near 100.
constexpr std::size_t kMaxQuotedChars = 40;

// Recipients come from outside: the message must never carry raw control bytes or invalid UTF-8
// into logs or the host's detail field, so anything but printable ASCII becomes \xNN.
std::string quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    std::string piece;
    if (byte >= 0x20 && byte < 0x7f && byte != '\\' && byte != '\'') {
      piece.assign(1, c);
    } else {
      piece = {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
    }
    if (out.size() - 1 + piece.size() > kMaxQuotedChars) {
      out += "...";
      break;
    }
    out += piece;
  }
  out += '\'';
  return out;
}

}  // namespace

std::optional<std::string> e164Problem(std::string_view text) {
  if (text.empty()) return std::string{"recipient is empty; expected E.164 like '+4915112345678'"};
  if (text[0] != '+') return quote(text) + " does not start with '+' (E.164)";

  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      // 1-based, counting the '+', as a person reading the number would count.
      return quote(text) + " has a non-digit at position " + std::to_string(i + 1);
    }
  }
  const std::size_t digits = text.size() - 1;
  if (digits < kMinDigits || digits > kMaxDigits) {
    return quote(text) + " has " + std::to_string(digits) + " digits; E.164 needs 7 to 15";
  }
  if (text[1] == '0') return quote(text) + " starts with 0 after '+'; no calling code does";
  return std::nullopt;
}

}  // namespace creditgate
