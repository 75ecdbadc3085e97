// Base64 (RFC 4648, section 4: the standard alphabet with '=' padding), for webhook secrets and
// signatures (Standard Webhooks) and for encoded words in mail headers (RFC 2047).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace creditgate {

std::string encodeBase64(std::span<const unsigned char> bytes);
inline std::string encodeBase64(std::string_view bytes) {
  return encodeBase64(
      std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

// Strict: the standard alphabet only, no whitespace, padding either complete or left out (a
// secret copied without its '=' still works), and no stray bits in the last character. nullopt
// for anything else.
std::optional<std::vector<unsigned char>> decodeBase64(std::string_view text);

}  // namespace creditgate
