// An immutable, in-memory copy of the rate data: the market prefix table and, per currency, the
// rate of every (market, category) in the card in effect. Built off the decision path, shared by
// all decisions through a shared_ptr<const RateSnapshot>, and replaced as a whole when the data
// changes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "category.hpp"
#include "creditgate/host_api.hpp"
#include "market_table.hpp"

namespace creditgate {

// The rate data as loaded from the database (or built by a test).
struct RateData {
  struct Prefix {
    std::string digits;  // "1809"
    std::string market;  // "Rest of Latin America"
  };
  struct Card {
    std::int64_t card_id = 0;
    std::string currency;  // ISO 4217
  };
  struct Rate {
    std::int64_t card_id = 0;
    std::string market;
    Category category = Category::marketing;
    std::optional<std::int64_t> micros;  // nullopt: Meta lists no rate ("n/a"), never priced as 0
  };
  std::vector<std::string> markets;  // every market name, the fallback included
  std::string fallback_market;       // "Other": where unlisted numbers go
  std::vector<Prefix> prefixes;
  std::vector<Card> cards;  // the card in effect, at most one per currency
  std::vector<Rate> rates;
};

// The price of a batch, recipient by recipient, in one currency.
struct PricedBatch {
  api::Reason reason =
      api::Reason::ok;  // ok | rate_not_found | amount_overflow | currency_mismatch
  std::string detail;   // names the recipient, market, category and currency
  std::vector<std::int64_t> unit_prices;  // one per recipient, in order (empty unless ok)
  std::vector<MarketIndex> markets;       // one per recipient, in order (empty unless ok)
  std::int64_t total_micros = 0;
  std::int64_t card_id = 0;  // the card that priced it
};

// How the tenant and the admins' config shape pricing, besides currency and category.
struct PricingOptions {
  // Meta's authentication-international rate applies to an eligible tenant's authentication
  // message to a market that lists such a rate and is not the tenant's home market.
  bool auth_international_eligible = false;
  std::string_view home_market;            // market name; empty: none
  bool price_missing_as_fallback = false;  // config pricing.on_missing_rate = "other"
};

class RateSnapshot {
 public:
  // Throws std::invalid_argument naming the offending market, prefix, card or rate when the data is
  // inconsistent (unknown market, duplicate prefix, two cards for one currency, negative rate...).
  explicit RateSnapshot(const RateData& data);

  // Prices valid E.164 recipients (checked beforehand) for `category` in `currency`.
  // reason currency_mismatch: no card for the currency.
  PricedBatch price(std::string_view currency, Category category,
                    std::span<const std::string_view> recipients,
                    const PricingOptions& options = {}) const;

  MarketIndex marketOf(std::string_view e164) const noexcept;
  const std::string& marketName(MarketIndex market) const { return market_names_.at(market); }
  std::size_t marketCount() const noexcept { return market_names_.size(); }
  std::optional<std::int64_t> cardId(std::string_view currency) const noexcept;

  // Bytes held (prefix table + rate tables), reported by the pricing benchmark.
  std::size_t memoryBytes() const noexcept;

 private:
  struct CurrencyRates {
    std::string currency;
    std::int64_t card_id = 0;
    std::vector<std::int64_t> micros;  // [market * kCategoryCount + category]; -1 = no rate
  };
  const CurrencyRates* ratesFor(std::string_view currency) const noexcept;
  std::optional<MarketIndex> marketIndexOf(std::string_view name) const noexcept;

  std::vector<std::string> market_names_;
  MarketTable table_;
  std::vector<CurrencyRates> currencies_;
};

}  // namespace creditgate
