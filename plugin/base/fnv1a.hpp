// FNV-1a, 64 bits (Fowler, Noll, Vo: http://www.isthe.com/chongo/tech/comp/fnv/): a fast, stable
// hash of bytes, to notice that text changed or to spread ids evenly. Never for security: anyone
// can make two texts with the same hash.
#pragma once

#include <cstdint>
#include <string_view>

namespace creditgate {

inline constexpr std::uint64_t kFnv1aOffsetBasis = 14695981039346656037ULL;
inline constexpr std::uint64_t kFnv1aPrime = 1099511628211ULL;

// Hashes `bytes`, continuing from `hash` (the offset basis for a fresh hash): fnv1a(b, fnv1a(a))
// is the hash of a followed by b.
constexpr std::uint64_t fnv1a(std::string_view bytes,
                              std::uint64_t hash = kFnv1aOffsetBasis) noexcept {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kFnv1aPrime;
  }
  return hash;
}

// The reference value from the FNV authors' test suite: "a" hashes to 0xaf63dc4c8601ec8c.
static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cULL);

}  // namespace creditgate
