#include "quoted_text.hpp"

namespace creditgate {

std::string printableText(std::string_view text, std::size_t max_chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = byte >= 0x20 && byte < 0x7f && byte != '\\' && byte != '\'';
    const std::size_t piece_size = plain ? 1 : 4;
    if (out.size() + piece_size > max_chars) {
      out += "...";
      break;
    }
    if (plain) {
      out += c;
    } else {
      out += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
    }
  }
  return out;
}

std::string quotedText(std::string_view text, std::size_t max_chars) {
  return "'" + printableText(text, max_chars) + "'";
}

std::size_t utf8Length(std::string_view text) noexcept {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return count;
}

}  // namespace creditgate
