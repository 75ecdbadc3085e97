#include "plain_text.hpp"

#include <cstdint>

namespace creditgate {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence at text[i], or 0 if none starts there (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t sequenceLength(std::string_view text, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const auto continuation = [&](std::size_t k) {
    return i + k < text.size() && (byte(k) & 0xC0) == 0x80;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (lead == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
    if (lead == 0xED && byte(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (lead == 0xF0 && byte(1) < 0x90) return 0;  // overlong
    if (lead == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

bool isControl(std::string_view sequence) noexcept {
  const auto lead = static_cast<unsigned char>(sequence[0]);
  if (sequence.size() == 1) return lead < 0x20 || lead == 0x7F;
  // C1: U+0080..U+009F, encoded C2 80..C2 9F.
  return sequence.size() == 2 && lead == 0xC2 && static_cast<unsigned char>(sequence[1]) < 0xA0;
}

}  // namespace

std::string singleLine(std::string_view text, std::size_t max_bytes) {
  constexpr std::string_view kCut = "...";
  std::string out;
  std::size_t fits_cut = 0;  // the longest whole-character prefix of out that leaves room for kCut
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = sequenceLength(text, i);
    const std::string_view piece = length ? text.substr(i, length) : kReplacement;
    i += length ? length : 1;
    if (length && isControl(piece)) continue;
    if (out.size() + piece.size() > max_bytes) {
      out.resize(fits_cut);
      return out += kCut;
    }
    out += piece;
    if (out.size() + kCut.size() <= max_bytes) fits_cut = out.size();
  }
  return out;
}

std::string replaceAll(std::string text, std::string_view needle, std::string_view with) {
  if (needle.empty()) return text;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + with.size())) {
    text.replace(at, needle.size(), with);
  }
  return text;
}

}  // namespace creditgate
