#include "rate_data_source.hpp"

#include <pqxx/pqxx>

#include "pg_field.hpp"

namespace creditgate {
namespace {

constexpr Statement kRateDataVersion{"rate_data_version", "SELECT creditgate.rate_data_version()"};
constexpr Statement kMarkets{"markets", "SELECT * FROM creditgate.markets()"};
constexpr Statement kMarketPrefixesAt{
    "market_prefixes_at", "SELECT prefix, market FROM creditgate.market_prefixes_at($1::date)"};
constexpr Statement kRateCardsAt{
    "rate_cards_at", "SELECT card_id, currency FROM creditgate.rate_cards_at($1::date)"};
constexpr Statement kRatesAt{
    "rates_at", "SELECT card_id, market, category, rate_micros FROM creditgate.rates_at($1::date)"};
constexpr Statement kStatements[] = {kRateDataVersion, kMarkets, kMarketPrefixesAt, kRateCardsAt,
                                     kRatesAt};

}  // namespace

std::span<const Statement> RateDataSource::statements() {
  return kStatements;
}

std::int64_t RateDataSource::version(Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return database_.exec1(txn, kRateDataVersion)[0].as<std::int64_t>();
  });
}

RateData RateDataSource::load(const std::string& day, Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    // One snapshot for all four reads, so a concurrent import is seen whole or not at all.
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only>
        txn(connection);
    RateData data;
    data.fallback_market = "Other";
    for (const auto& row : database_.exec(txn, kMarkets)) {
      data.markets.push_back(row[0].as<std::string>());
    }
    for (const auto& row : database_.exec(txn, kMarketPrefixesAt, day)) {
      data.prefixes.push_back({row[0].as<std::string>(), row[1].as<std::string>()});
    }
    for (const auto& row : database_.exec(txn, kRateCardsAt, day)) {
      data.cards.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>()});
    }
    for (const auto& row : database_.exec(txn, kRatesAt, day)) {
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
