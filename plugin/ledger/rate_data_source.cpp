#include "rate_data_source.hpp"

#include <pqxx/pqxx>

#include "pg_field.hpp"

namespace creditgate {
namespace {

constexpr const char* kRateDataVersion = "rate_data_version";
constexpr const char* kMarkets = "markets";
constexpr const char* kMarketPrefixesAt = "market_prefixes_at";
constexpr const char* kRateCardsAt = "rate_cards_at";
constexpr const char* kRatesAt = "rates_at";
constexpr Statement kStatements[] = {
    {kRateDataVersion, "SELECT creditgate.rate_data_version()"},
    {kMarkets, "SELECT * FROM creditgate.markets()"},
    {kMarketPrefixesAt, "SELECT prefix, market FROM creditgate.market_prefixes_at($1::date)"},
    {kRateCardsAt, "SELECT card_id, currency FROM creditgate.rate_cards_at($1::date)"},
    {kRatesAt, "SELECT card_id, market, category, rate_micros FROM creditgate.rates_at($1::date)"},
};

}  // namespace

std::span<const Statement> RateDataSource::statements() {
  return kStatements;
}

std::int64_t RateDataSource::version(Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kRateDataVersion)[0].as<std::int64_t>();
  });
}

RateData RateDataSource::load(const std::string& day, Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    // One snapshot for all four reads, so a concurrent import is seen whole or not at all.
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only>
        txn(connection);
    RateData data;
    data.fallback_market = "Other";
    for (const auto& row : txn.exec_prepared(kMarkets)) {
      data.markets.push_back(row[0].as<std::string>());
    }
    for (const auto& row : txn.exec_prepared(kMarketPrefixesAt, day)) {
      data.prefixes.push_back({row[0].as<std::string>(), row[1].as<std::string>()});
    }
    for (const auto& row : txn.exec_prepared(kRateCardsAt, day)) {
      data.cards.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>()});
    }
    for (const auto& row : txn.exec_prepared(kRatesAt, day)) {
      RateData::Rate rate;
      rate.card_id = row[0].as<std::int64_t>();
      rate.market = row[1].as<std::string>();
      const auto category = parseCategory(row[2].c_str());
      if (!category) {
        throw LedgerError(LedgerError::Kind::rejected,
                          "unknown category in rate data: " + row[2].as<std::string>());
      }
      rate.category = *category;
      rate.micros = optionalField<std::int64_t>(row[3]);
      data.rates.push_back(std::move(rate));
    }
    txn.commit();
    return data;
  });
}

}  // namespace creditgate
