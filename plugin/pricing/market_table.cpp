#include "market_table.hpp"

#include <stdexcept>

namespace creditgate {

namespace {

constexpr std::size_t kRadix = 10;
constexpr std::size_t kMaxPrefixDigits = 15;  // an E.164 number has at most 15 digits

std::string describe(std::string_view prefix) {
  // Prefixes come from data files; keep control bytes out of the exception text.
  std::string out = "market prefix '";
  for (const char c : prefix.substr(0, 32)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (prefix.size() > 32) out += "...";
  out += '\'';
  return out;
}

}  // namespace

MarketTable::MarketTable(const std::vector<MarketPrefix>& prefixes, MarketIndex fallback)
    : fallback_(fallback) {
  // Node 0 is the root; it never carries a market since an empty prefix is refused.
  children_.assign(kRadix, 0);
  market_at_.assign(1, -1);

  for (const MarketPrefix& prefix : prefixes) {
    if (prefix.digits.empty()) throw std::invalid_argument(describe(prefix.digits) + " is empty");
    if (prefix.digits.size() > kMaxPrefixDigits) {
      throw std::invalid_argument(describe(prefix.digits) + " has more than 15 digits");
    }
    std::uint32_t node = 0;
    for (const char c : prefix.digits) {
      if (c < '0' || c > '9') {
        throw std::invalid_argument(describe(prefix.digits) + " has a non-digit");
      }
      const std::size_t slot = node * kRadix + static_cast<std::size_t>(c - '0');
      if (children_[slot] == 0) {
        const auto created = static_cast<std::uint32_t>(market_at_.size());
        children_[slot] = created;
        children_.resize(children_.size() + kRadix, 0);
        market_at_.push_back(-1);
      }
      node = children_[slot];
    }
    if (market_at_[node] != -1) {
      throw std::invalid_argument(describe(prefix.digits) + " is listed twice");
    }
    market_at_[node] = prefix.market;
  }
  // Built once, read for the life of the snapshot: give back the growth slack.
  children_.shrink_to_fit();
  market_at_.shrink_to_fit();
}

MarketIndex MarketTable::lookup(std::string_view digits) const noexcept {
  std::int32_t found = -1;
  std::uint32_t node = 0;
  for (const char c : digits) {
    // Callers pass validated digits; stopping at anything else keeps this noexcept and in bounds.
    if (c < '0' || c > '9') break;
    node = children_[node * kRadix + static_cast<std::size_t>(c - '0')];
    if (node == 0) break;
    if (market_at_[node] != -1) found = market_at_[node];
  }
  return found == -1 ? fallback_ : static_cast<MarketIndex>(found);
}

std::size_t MarketTable::memoryBytes() const noexcept {
  return children_.capacity() * sizeof(std::uint32_t) +
         market_at_.capacity() * sizeof(std::int32_t);
}

}  // namespace creditgate
