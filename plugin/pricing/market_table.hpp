// Which WhatsApp market a number belongs to: the longest listed prefix of its digits (calling code,
// plus the area code where a calling code is shared, e.g. +1 809 -> Rest of Latin America).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace creditgate {

using MarketIndex = std::uint16_t;

struct MarketPrefix {
  std::string digits;  // "1809", "44", "7": digits only, 1 to 15 of them
  MarketIndex market;
};

// Immutable once built; lookups are lock-free and safe from any number of threads.
class MarketTable {
 public:
  // `fallback` is the market of numbers no prefix matches (Meta's "Other").
  // Throws std::invalid_argument naming the prefix on a non-digit, empty or duplicate prefix.
  MarketTable(const std::vector<MarketPrefix>& prefixes, MarketIndex fallback);

  // `digits`: the E.164 digits without '+'. Never fails: unlisted numbers map to the fallback.
  MarketIndex lookup(std::string_view digits) const noexcept;

  MarketIndex fallback() const noexcept { return fallback_; }

  // Bytes held by the lookup structure (reported by the pricing benchmark).
  std::size_t memoryBytes() const noexcept;

 private:
  // A 10-ary trie in one flat array: node i's child for digit d is children_[i * 10 + d] (0 =
  // none).
  std::vector<std::uint32_t> children_;
  std::vector<std::int32_t> market_at_;  // market ending at node i, or -1
  MarketIndex fallback_;
};

}  // namespace creditgate
