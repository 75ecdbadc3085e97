// Client text quoted back in an error message: at most `max` bytes, printable ASCII only (other
// bytes become '?'). A response body must stay valid UTF-8 JSON whatever the client sent, and a cut
// in the middle of a multi-byte character, or a control character, would break that.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace creditgate::server {

inline std::string excerpt(std::string_view text, std::size_t max = 64) {
  std::string out;
  const std::size_t n = text.size() < max ? text.size() : max;
  out.reserve(n + 3);
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    out.push_back(c >= 0x20 && c <= 0x7e ? c : '?');
  }
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace creditgate::server
