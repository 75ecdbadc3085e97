#include "rate_snapshot.hpp"

#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "quoted_text.hpp"

namespace creditgate {

namespace {

constexpr std::int64_t kNoRate = -1;
// Pieces of a detail string are cut so the whole fits the host's 240-byte detail field.
constexpr std::size_t kMaxRecipientChars = 24;
constexpr std::size_t kMaxMarketChars = 47;  // api::kNameSize - 1
constexpr std::size_t kMaxCurrencyChars = 8;
constexpr std::size_t kMaxQuotedChars = 48;  // names in rate-data errors

using MarketIndexByName = std::unordered_map<std::string_view, MarketIndex>;

MarketIndexByName indexMarkets(const std::vector<std::string>& names) {
  MarketIndexByName index;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!index.emplace(names[i], static_cast<MarketIndex>(i)).second) {
      throw std::invalid_argument("market " + quotedText(names[i], kMaxQuotedChars) +
                                  " is listed twice");
    }
  }
  return index;
}

MarketIndex marketNamed(const MarketIndexByName& index, std::string_view name,
                        std::string_view context) {
  const auto it = index.find(name);
  if (it == index.end()) {
    throw std::invalid_argument(std::string(context) + " names unknown market " +
                                quotedText(name, kMaxQuotedChars));
  }
  return it->second;
}

std::vector<std::string> checkedMarkets(const RateData& data) {
  if (data.markets.empty()) throw std::invalid_argument("rate data lists no markets");
  // MarketIndex is 16 bits; Meta has a few dozen markets, so this only trips on corrupt data.
  if (data.markets.size() > std::numeric_limits<MarketIndex>::max()) {
    throw std::invalid_argument("rate data lists too many markets");
  }
  for (const std::string& name : data.markets) {
    if (name.empty()) throw std::invalid_argument("rate data lists an empty market name");
  }
  return data.markets;
}

MarketTable buildTable(const RateData& data, const std::vector<std::string>& markets) {
  const MarketIndexByName index = indexMarkets(markets);
  const MarketIndex fallback = marketNamed(index, data.fallback_market, "the fallback");
  std::vector<MarketPrefix> prefixes;
  prefixes.reserve(data.prefixes.size());
  for (const RateData::Prefix& prefix : data.prefixes) {
    prefixes.push_back(MarketPrefix{
        prefix.digits,
        marketNamed(index, prefix.market, "prefix " + quotedText(prefix.digits, kMaxQuotedChars))});
  }
  return MarketTable(prefixes, fallback);  // throws on a bad or duplicate prefix
}

bool isIsoCurrency(std::string_view code) noexcept {
  if (code.size() != 3) return false;
  for (const char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

}  // namespace

RateSnapshot::RateSnapshot(const RateData& data)
    : market_names_(checkedMarkets(data)), table_(buildTable(data, market_names_)) {
  const MarketIndexByName index = indexMarkets(market_names_);

  currencies_.reserve(data.cards.size());
  for (const RateData::Card& card : data.cards) {
    const std::string name = "card " + std::to_string(card.card_id);
    if (!isIsoCurrency(card.currency)) {
      throw std::invalid_argument(name + " has currency " +
                                  quotedText(card.currency, kMaxQuotedChars) +
                                  ", not an ISO 4217 code");
    }
    for (const CurrencyRates& seen : currencies_) {
      if (seen.currency == card.currency) {
        throw std::invalid_argument(name + " is a second card for " + card.currency + " (card " +
                                    std::to_string(seen.card_id) + ")");
      }
      if (seen.card_id == card.card_id) throw std::invalid_argument(name + " is listed twice");
    }
    currencies_.push_back(
        CurrencyRates{card.currency, card.card_id,
                      std::vector<std::int64_t>(market_names_.size() * kCategoryCount, kNoRate)});
  }

  // An n/a rate stays kNoRate, but is still recorded so a second row for the same cell is caught.
  std::vector<std::vector<bool>> seen(currencies_.size(),
                                      std::vector<bool>(market_names_.size() * kCategoryCount));
  for (const RateData::Rate& rate : data.rates) {
    const std::string name = "rate of card " + std::to_string(rate.card_id) + " for " +
                             quotedText(rate.market, kMaxQuotedChars) + "/" +
                             std::string(categoryName(rate.category));
    std::size_t card_slot = currencies_.size();
    for (std::size_t i = 0; i < currencies_.size(); ++i) {
      if (currencies_[i].card_id == rate.card_id) card_slot = i;
    }
    if (card_slot == currencies_.size())
      throw std::invalid_argument(name + " names no loaded card");
    const auto category = static_cast<std::size_t>(rate.category);
    if (category >= kCategoryCount) throw std::invalid_argument(name + " has an unknown category");
    const MarketIndex market = marketNamed(index, rate.market, name);
    if (rate.micros && *rate.micros < 0) throw std::invalid_argument(name + " is negative");

    const std::size_t cell = market * kCategoryCount + category;
    if (seen[card_slot][cell]) throw std::invalid_argument(name + " is listed twice");
    seen[card_slot][cell] = true;
    currencies_[card_slot].micros[cell] = rate.micros.value_or(kNoRate);
  }
}

const RateSnapshot::CurrencyRates* RateSnapshot::ratesFor(
    std::string_view currency) const noexcept {
  // At most 16 currencies (one card each): a linear scan beats hashing at this size.
  for (const CurrencyRates& rates : currencies_) {
    if (rates.currency == currency) return &rates;
  }
  return nullptr;
}

std::optional<std::int64_t> RateSnapshot::cardId(std::string_view currency) const noexcept {
  const CurrencyRates* rates = ratesFor(currency);
  if (rates == nullptr) return std::nullopt;
  return rates->card_id;
}

MarketIndex RateSnapshot::marketOf(std::string_view e164) const noexcept {
  if (!e164.empty() && e164.front() == '+') e164.remove_prefix(1);
  return table_.lookup(e164);
}

std::optional<MarketIndex> RateSnapshot::marketIndexOf(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < market_names_.size(); ++i) {
    if (market_names_[i] == name) return static_cast<MarketIndex>(i);
  }
  return std::nullopt;
}

PricedBatch RateSnapshot::price(std::string_view currency, Category category,
                                std::span<const std::string_view> recipients,
                                const PricingOptions& options) const {
  PricedBatch batch;
  const CurrencyRates* rates = ratesFor(currency);
  if (rates == nullptr) {
    batch.reason = api::Reason::currency_mismatch;
    batch.detail = "no rate card in effect for currency " + quotedText(currency, kMaxCurrencyChars);
    return batch;
  }
  batch.card_id = rates->card_id;
  const auto category_slot = static_cast<std::size_t>(category);
  if (category_slot >= kCategoryCount) {
    batch.reason = api::Reason::rate_not_found;
    batch.detail = "unknown category for currency " + rates->currency;
    return batch;
  }

  // Resolved once per batch, so the loop below stays a lookup and two array reads per recipient.
  const bool international =
      options.auth_international_eligible && category == Category::authentication;
  const auto home = marketIndexOf(options.home_market);
  constexpr auto kInternationalSlot =
      static_cast<std::size_t>(Category::authentication_international);
  const std::int64_t* row_of = rates->micros.data();

  batch.unit_prices.reserve(recipients.size());
  batch.markets.reserve(recipients.size());
  std::int64_t total = 0;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    const MarketIndex market = marketOf(recipients[i]);
    std::int64_t unit = row_of[market * kCategoryCount + category_slot];
    if (international && market != home) {
      // Only markets that list an authentication-international rate are "international" ones.
      const std::int64_t intl = row_of[market * kCategoryCount + kInternationalSlot];
      if (intl != kNoRate) unit = intl;
    }
    if (unit == kNoRate && options.price_missing_as_fallback) {
      unit = row_of[table_.fallback() * kCategoryCount + category_slot];
    }
    if (unit == kNoRate) {
      batch.reason = api::Reason::rate_not_found;
      batch.detail = "no " + std::string(categoryName(category)) + " rate for " +
                     printableText(recipients[i], kMaxRecipientChars) + " (market " +
                     printableText(market_names_[market], kMaxMarketChars) + ") in " +
                     rates->currency;
      break;
    }
    if (__builtin_add_overflow(total, unit, &total)) {
      batch.reason = api::Reason::amount_overflow;
      batch.detail = "batch total in " + rates->currency +
                     " exceeds int64 micro-units at recipient " + std::to_string(i + 1) + " (" +
                     printableText(recipients[i], kMaxRecipientChars) + ", " +
                     std::string(categoryName(category)) + ", market " +
                     printableText(market_names_[market], kMaxMarketChars) + ")";
      break;
    }
    batch.unit_prices.push_back(unit);
    batch.markets.push_back(market);
  }
  if (batch.reason != api::Reason::ok) {
    // The contract: per-recipient vectors and total are meaningful only for an ok batch.
    batch.unit_prices.clear();
    batch.markets.clear();
    return batch;
  }
  batch.total_micros = total;
  return batch;
}

std::size_t RateSnapshot::memoryBytes() const noexcept {
  std::size_t bytes = table_.memoryBytes();
  for (const std::string& name : market_names_) bytes += sizeof(std::string) + name.capacity();
  for (const CurrencyRates& rates : currencies_) {
    bytes += sizeof(CurrencyRates) + rates.micros.capacity() * sizeof(std::int64_t);
  }
  return bytes;
}

}  // namespace creditgate
