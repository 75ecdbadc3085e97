// The fuzzers' assertion: a broken invariant prints what and why, then aborts, which libFuzzer
// reports as a crash and saves the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace creditgate::fuzz {

inline void check(bool holds, std::string_view invariant, std::string_view detail = {}) {
  if (holds) return;
  std::fprintf(stderr, "invariant broken: %.*s\n  %.*s\n", static_cast<int>(invariant.size()),
               invariant.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Printable ASCII only (0x20..0x7e): what may reach a log line or the host's detail field.
inline bool printableAscii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace creditgate::fuzz
