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

}  // namespace creditgate
