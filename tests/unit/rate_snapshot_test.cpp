#include "rate_snapshot.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace creditgate {
namespace {

using api::Reason;

constexpr std::int64_t kEurCard = 7;
constexpr std::int64_t kUsdCard = 8;

// A miniature of the 2025 card: India marketing 0.0099 EUR, United Kingdom 0.0526 EUR,
// Other 0.0604 USD; India authentication_international is "n/a" in USD.
RateData sampleData() {
  RateData data;
  data.markets = {"India", "United Kingdom", "Rest of Latin America", "North America", "Other"};
  data.fallback_market = "Other";
  data.prefixes = {{"91", "India"},
                   {"44", "United Kingdom"},
                   {"1", "North America"},
                   {"1809", "Rest of Latin America"}};
  data.cards = {{kEurCard, "EUR"}, {kUsdCard, "USD"}};
  for (const std::string& market : data.markets) {
    for (const Category category : kAllCategories) {
      data.rates.push_back({kEurCard, market, category, 20'000});
      data.rates.push_back({kUsdCard, market, category, 60'400});
    }
  }
  for (RateData::Rate& rate : data.rates) {
    if (rate.card_id == kEurCard && rate.category == Category::marketing) {
      if (rate.market == "India") rate.micros = 9'900;
      if (rate.market == "United Kingdom") rate.micros = 52'600;
    }
    if (rate.card_id == kUsdCard && rate.market == "India" &&
        rate.category == Category::authentication_international) {
      rate.micros = std::nullopt;
    }
  }
  return data;
}

std::string rejection(const RateData& data) {
  try {
    RateSnapshot snapshot(data);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  ADD_FAILURE() << "snapshot was built";
  return "";
}

PricedBatch priceOne(const RateSnapshot& snapshot, std::string_view currency, Category category,
                     std::string_view recipient) {
  const std::vector<std::string_view> recipients = {recipient};
  return snapshot.price(currency, category, recipients);
}

TEST(RateSnapshot, PricesEachRecipientByItsMarketAndSumsTheBatch) {
  const RateSnapshot snapshot(sampleData());
  const std::vector<std::string_view> recipients = {"+919876543210", "+447911123456",
                                                    "+821012345678"};
  const PricedBatch batch = snapshot.price("EUR", Category::marketing, recipients);

  ASSERT_EQ(batch.reason, Reason::ok) << batch.detail;
  EXPECT_EQ(batch.unit_prices, (std::vector<std::int64_t>{9'900, 52'600, 20'000}));
  ASSERT_EQ(batch.markets.size(), 3u);
  EXPECT_EQ(snapshot.marketName(batch.markets[0]), "India");
  EXPECT_EQ(snapshot.marketName(batch.markets[1]), "United Kingdom");
  EXPECT_EQ(snapshot.marketName(batch.markets[2]), "Other");
  EXPECT_EQ(batch.total_micros, 82'500);
  EXPECT_EQ(batch.card_id, kEurCard);
}

TEST(RateSnapshot, PricesDominicanRepublicAsRestOfLatinAmerica) {
  const RateSnapshot snapshot(sampleData());
  EXPECT_EQ(snapshot.marketName(snapshot.marketOf("+18095551234")), "Rest of Latin America");
  EXPECT_EQ(snapshot.marketName(snapshot.marketOf("+12125551234")), "North America");
}

TEST(RateSnapshot, PricesAnEmptyBatchAtZero) {
  const RateSnapshot snapshot(sampleData());
  const PricedBatch batch = snapshot.price("USD", Category::utility, {});
  EXPECT_EQ(batch.reason, Reason::ok);
  EXPECT_EQ(batch.total_micros, 0);
  EXPECT_TRUE(batch.unit_prices.empty());
}

TEST(RateSnapshot, ReportsCurrencyMismatchWhenNoCardIsInEffectForTheCurrency) {
  const RateSnapshot snapshot(sampleData());
  const PricedBatch batch = priceOne(snapshot, "BRL", Category::marketing, "+919876543210");
  EXPECT_EQ(batch.reason, Reason::currency_mismatch);
  EXPECT_NE(batch.detail.find("BRL"), std::string::npos);
  EXPECT_TRUE(batch.unit_prices.empty());
  EXPECT_EQ(snapshot.cardId("BRL"), std::nullopt);
  EXPECT_EQ(snapshot.cardId("USD"), kUsdCard);
}

TEST(RateSnapshot, ReportsRateNotFoundForAnNaRateNamingRecipientMarketCategoryAndCurrency) {
  const RateSnapshot snapshot(sampleData());
  const std::vector<std::string_view> recipients = {"+447911123456", "+919876543210"};
  const PricedBatch batch =
      snapshot.price("USD", Category::authentication_international, recipients);

  EXPECT_EQ(batch.reason, Reason::rate_not_found);
  EXPECT_NE(batch.detail.find("+919876543210"), std::string::npos) << batch.detail;
  EXPECT_NE(batch.detail.find("India"), std::string::npos) << batch.detail;
  EXPECT_NE(batch.detail.find("authentication_international"), std::string::npos) << batch.detail;
  EXPECT_NE(batch.detail.find("USD"), std::string::npos) << batch.detail;
  EXPECT_TRUE(batch.unit_prices.empty());
  EXPECT_TRUE(batch.markets.empty());
  EXPECT_EQ(batch.total_micros, 0);
}

TEST(RateSnapshot, ReportsRateNotFoundForAMarketTheCardDoesNotList) {
  RateData data = sampleData();
  std::erase_if(data.rates, [](const RateData::Rate& rate) {
    return rate.card_id == kEurCard && rate.market == "Other";
  });
  const RateSnapshot snapshot(data);
  const PricedBatch batch = priceOne(snapshot, "EUR", Category::service, "+821012345678");
  EXPECT_EQ(batch.reason, Reason::rate_not_found);
  EXPECT_NE(batch.detail.find("Other"), std::string::npos) << batch.detail;
}

TEST(RateSnapshot, ReportsAmountOverflowInsteadOfWrappingTheTotal) {
  RateData data = sampleData();
  for (RateData::Rate& rate : data.rates) {
    if (rate.card_id == kEurCard && rate.market == "India") {
      rate.micros = std::numeric_limits<std::int64_t>::max() / 2 + 1;
    }
  }
  const RateSnapshot snapshot(data);
  const std::vector<std::string_view> two = {"+919876543210", "+919876543211"};
  const PricedBatch batch = snapshot.price("EUR", Category::marketing, two);
  EXPECT_EQ(batch.reason, Reason::amount_overflow);
  EXPECT_NE(batch.detail.find("EUR"), std::string::npos) << batch.detail;
  EXPECT_TRUE(batch.unit_prices.empty());

  const std::vector<std::string_view> one = {"+919876543210"};
  EXPECT_EQ(snapshot.price("EUR", Category::marketing, one).reason, Reason::ok);
}

TEST(RateSnapshot, KeepsDetailsShortEvenForHugeMarketNamesAndRecipients) {
  RateData data = sampleData();
  const std::string long_market(300, 'M');
  data.markets.push_back(long_market);
  data.prefixes.push_back({"82", long_market});
  const RateSnapshot snapshot(data);  // the long market has no rates at all
  const std::string recipient = "+82" + std::string(200, '1');
  const PricedBatch batch =
      priceOne(snapshot, "EUR", Category::authentication_international, recipient);
  EXPECT_EQ(batch.reason, Reason::rate_not_found);
  EXPECT_LE(batch.detail.size(), 230u) << batch.detail;
}

TEST(RateSnapshot, RefusesAPrefixForAnUnknownMarketNamingIt) {
  RateData data = sampleData();
  data.prefixes.push_back({"33", "Frace"});
  const std::string message = rejection(data);
  EXPECT_NE(message.find("'Frace'"), std::string::npos) << message;
  EXPECT_NE(message.find("'33'"), std::string::npos) << message;
}

TEST(RateSnapshot, RefusesADuplicatePrefixNamingIt) {
  RateData data = sampleData();
  data.prefixes.push_back({"1809", "North America"});
  EXPECT_NE(rejection(data).find("'1809'"), std::string::npos);
}

TEST(RateSnapshot, RefusesAnUnknownFallbackMarket) {
  RateData data = sampleData();
  data.fallback_market = "Elsewhere";
  EXPECT_NE(rejection(data).find("'Elsewhere'"), std::string::npos);
}

TEST(RateSnapshot, RefusesTwoCardsForOneCurrency) {
  RateData data = sampleData();
  data.cards.push_back({99, "EUR"});
  const std::string message = rejection(data);
  EXPECT_NE(message.find("99"), std::string::npos) << message;
  EXPECT_NE(message.find("EUR"), std::string::npos) << message;
}

TEST(RateSnapshot, RefusesANegativeRate) {
  RateData data = sampleData();
  data.rates.push_back({kEurCard, "India", Category::marketing, -1});
  EXPECT_NE(rejection(data).find("negative"), std::string::npos);
}

TEST(RateSnapshot, RefusesTwoRatesForTheSameCell) {
  RateData data = sampleData();
  data.rates.push_back({kUsdCard, "India", Category::authentication_international, 1});
  EXPECT_NE(rejection(data).find("twice"), std::string::npos);
}

TEST(RateSnapshot, RefusesARateForAnUnknownMarketOrCard) {
  RateData unknown_market = sampleData();
  unknown_market.rates.push_back({kEurCard, "Atlantis", Category::utility, 1});
  EXPECT_NE(rejection(unknown_market).find("'Atlantis'"), std::string::npos);

  RateData unknown_card = sampleData();
  unknown_card.rates.push_back({42, "India", Category::utility, 1});
  EXPECT_NE(rejection(unknown_card).find("42"), std::string::npos);
}

TEST(RateSnapshot, RefusesACurrencyThatIsNotAnIsoCode) {
  RateData data = sampleData();
  data.cards.push_back({99, "$US"});
  EXPECT_NE(rejection(data).find("'$US'"), std::string::npos);
}

TEST(RateSnapshot, ReportsTheMemoryItHolds) {
  const RateSnapshot snapshot(sampleData());
  // Two currencies x five markets x five categories of int64, at least.
  EXPECT_GE(snapshot.memoryBytes(), 2u * 5u * kCategoryCount * sizeof(std::int64_t));
  EXPECT_EQ(snapshot.marketCount(), 5u);
}

}  // namespace
}  // namespace creditgate

namespace creditgate {
namespace {

TEST(Category, RoundTripsEveryCategoryThroughItsName) {
  for (const Category category : kAllCategories) {
    EXPECT_EQ(parseCategory(categoryName(category)), category);
  }
  EXPECT_EQ(categoryName(Category::authentication_international), "authentication_international");
}

TEST(Category, RefusesNamesInAnotherCaseOrSpelling) {
  EXPECT_EQ(parseCategory("Marketing"), std::nullopt);
  EXPECT_EQ(parseCategory("authentication-international"), std::nullopt);
  EXPECT_EQ(parseCategory(""), std::nullopt);
}

}  // namespace
}  // namespace creditgate

namespace creditgate {
namespace {

// EUR authentication 20000 everywhere; authentication_international listed only for India (25200)
// and United Kingdom (30000); n/a elsewhere, as on Meta's cards.
RateSnapshot internationalSnapshot() {
  RateData data = sampleData();
  for (RateData::Rate& rate : data.rates) {
    if (rate.card_id != kEurCard || rate.category != Category::authentication_international) continue;
    if (rate.market == "India") rate.micros = 25'200;
    else if (rate.market == "United Kingdom") rate.micros = 30'000;
    else rate.micros = std::nullopt;
  }
  return RateSnapshot(data);
}

PricingOptions fallbackToOther() {
  PricingOptions options;
  options.price_missing_as_fallback = true;
  return options;
}

std::int64_t authenticationPrice(const RateSnapshot& snapshot, std::string_view recipient,
                                 const PricingOptions& options) {
  const std::vector<std::string_view> recipients = {recipient};
  const PricedBatch batch = snapshot.price("EUR", Category::authentication, recipients, options);
  EXPECT_EQ(batch.reason, Reason::ok) << batch.detail;
  return batch.total_micros;
}

TEST(RateSnapshotInternational, EligibleTenantPaysTheInternationalRateAbroadInAListedMarket) {
  const RateSnapshot snapshot = internationalSnapshot();
  const PricingOptions eligible{.auth_international_eligible = true, .home_market = "United Kingdom"};
  EXPECT_EQ(authenticationPrice(snapshot, "+919876543210", eligible), 25'200);  // India, abroad
}

TEST(RateSnapshotInternational, HomeMarketIsNeverInternational) {
  const RateSnapshot snapshot = internationalSnapshot();
  const PricingOptions eligible{.auth_international_eligible = true, .home_market = "India"};
  EXPECT_EQ(authenticationPrice(snapshot, "+919876543210", eligible), 20'000);
}

TEST(RateSnapshotInternational, MarketWithoutAnInternationalRatePaysTheAuthenticationRate) {
  const RateSnapshot snapshot = internationalSnapshot();
  const PricingOptions eligible{.auth_international_eligible = true, .home_market = "India"};
  EXPECT_EQ(authenticationPrice(snapshot, "+12125550123", eligible), 20'000);  // North America
}

TEST(RateSnapshotInternational, IneligibleTenantAlwaysPaysTheAuthenticationRate) {
  const RateSnapshot snapshot = internationalSnapshot();
  EXPECT_EQ(authenticationPrice(snapshot, "+919876543210", {}), 20'000);
}

TEST(RateSnapshotInternational, OnlyAuthenticationMessagesArePricedInternationally) {
  const RateSnapshot snapshot = internationalSnapshot();
  const std::vector<std::string_view> recipients = {"+919876543210"};
  const PricingOptions eligible{.auth_international_eligible = true, .home_market = "United Kingdom"};
  EXPECT_EQ(snapshot.price("EUR", Category::marketing, recipients, eligible).total_micros, 9'900);
}

TEST(RateSnapshotMissingRate, PricesAtTheOtherMarketWhenConfiguredSo) {
  RateData data = sampleData();
  for (RateData::Rate& rate : data.rates) {
    if (rate.card_id == kEurCard && rate.market == "India" && rate.category == Category::utility) {
      rate.micros = std::nullopt;
    }
    if (rate.card_id == kEurCard && rate.market == "Other" && rate.category == Category::utility) {
      rate.micros = 7'700;
    }
  }
  const RateSnapshot snapshot(data);
  const std::vector<std::string_view> recipients = {"+919876543210"};
  EXPECT_EQ(snapshot.price("EUR", Category::utility, recipients).reason, Reason::rate_not_found);
  const PricedBatch fallback = snapshot.price("EUR", Category::utility, recipients,
                                              fallbackToOther());
  EXPECT_EQ(fallback.reason, Reason::ok);
  EXPECT_EQ(fallback.total_micros, 7'700);
}

TEST(RateSnapshotMissingRate, FallsBackToOtherAndRefusesOnlyWhenOtherHasNoRateEither) {
  const RateSnapshot snapshot(sampleData());
  const std::vector<std::string_view> recipients = {"+919876543210"};
  const PricedBatch batch = snapshot.price("USD", Category::authentication_international,
                                           recipients, fallbackToOther());
  // USD India is n/a but USD Other lists 60400: priced at Other.
  EXPECT_EQ(batch.total_micros, 60'400);
  RateData data = sampleData();
  for (RateData::Rate& rate : data.rates) {
    if (rate.card_id == kUsdCard && rate.category == Category::authentication_international) {
      rate.micros = std::nullopt;
    }
  }
  const RateSnapshot none(data);
  EXPECT_EQ(none.price("USD", Category::authentication_international, recipients,
                       fallbackToOther())
                .reason,
            Reason::rate_not_found);
}

}  // namespace
}  // namespace creditgate
