// creditctl rates import and rates show: Meta's rate cards into the database, and back out as
// exact decimals.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string_view>
#include <vector>

#include "arguments.hpp"
#include "category.hpp"
#include "commands.hpp"
#include "csv_reader.hpp"
#include "decimal_micros.hpp"
#include "meta_pricing_csv.hpp"
#include "pg_array.hpp"
#include "quoted_text.hpp"
#include "report_fields.hpp"

namespace creditgate::ctl {
namespace {

constexpr const char* kKnownMarkets = "SELECT market FROM creditgate.market";
constexpr const char* kImportRateCard =
    "SELECT card_id, created FROM creditgate.import_rate_card("
    "$1, $2::date, $3, $4::text[], $5::text[], $6::bigint[])";
// The card per currency with the latest effective date not after the day (as rate_cards_at), with
// its rates; a card without rates still shows.
constexpr const char* kRatesInForce =
    "SELECT c.card_id, c.currency, c.effective_from::text AS effective_from, c.source,"
    "       r.market, r.category, r.rate_micros"
    "  FROM (SELECT DISTINCT ON (currency) card_id, currency, effective_from, source"
    "          FROM creditgate.rate_card"
    "         WHERE effective_from <= $1::date AND ($2::text IS NULL OR currency = $2)"
    "         ORDER BY currency, effective_from DESC) c"
    "  LEFT JOIN creditgate.rate r ON r.card_id = c.card_id"
    " ORDER BY c.currency, r.market";
constexpr const char* kTodayUtc = "SELECT ((now() AT TIME ZONE 'UTC')::date)::text";

// {61800,NULL,0}: a bigint array literal with NULL for a missing rate (bound as a parameter).
std::string optionalBigintArray(const std::vector<std::optional<std::int64_t>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += values[i] ? std::to_string(*values[i]) : "NULL";
  }
  return out + "}";
}

// Every market of the card the database does not know, with its line: all in one message.
void refuseUnknownMarkets(const admin::MetaRateCard& card, const std::string& source,
                          pqxx::transaction_base& txn) {
  std::set<std::string, std::less<>> known;
  for (const auto& row : txn.exec(kKnownMarkets)) known.insert(row[0].as<std::string>());
  std::string unknown;
  std::size_t count = 0;
  for (const admin::MarketRates& market : card.markets) {
    if (known.contains(market.market)) continue;
    unknown += (count++ == 0 ? "" : ", ") + quotedText(market.market) + " (line " +
               std::to_string(market.line) + ")";
  }
  if (count > 0) {
    throw admin::InputFileError(
        admin::fileLocation(source, 0) + std::to_string(count) + " unknown market" +
        (count == 1 ? "" : "s") + ": " + unknown +
        "; import the market mapping that names them first (creditctl markets import)");
  }
}

struct CardInForce {
  std::int64_t card_id = 0;
  std::string currency;
  std::string effective_from;
  std::string source;
  // market -> rate per category (nullopt: n/a or not listed)
  std::map<std::string, std::array<std::optional<std::int64_t>, kCategoryCount>> rates;
};

std::string rateText(const std::optional<std::int64_t>& micros) {
  return micros ? formatMicros(*micros) : "n/a";
}

}  // namespace

void ratesImportCommand(const CommandLine& line, Database& database, std::ostream& out) {
  constexpr const char* kUsage =
      "creditctl rates import FILE [--currency CUR] [--effective-from DATE] [--source TEXT]";
  line.allowOnly({"dsn", "currency", "effective-from", "source"});
  line.expectWords(1, kUsage);
  const std::string& path = line.words()[0];

  admin::MetaPricingOptions options;
  options.source_name = path;
  if (auto currency = line.option("currency")) options.currency = currencyArgument(*currency);
  if (auto date = line.option("effective-from")) {
    options.effective_from = dateArgument("--effective-from", *date);
  }
  const std::string source =
      line.option("source").value_or(std::filesystem::path(path).filename().string());

  // The whole file is checked before any connection: a bad file writes nothing.
  const admin::MetaRateCard card = admin::parseMetaPricingCsv(inputFileArgument(path), options);

  std::vector<std::string_view> markets;
  std::vector<std::string_view> categories;
  std::vector<std::optional<std::int64_t>> rates;
  for (const admin::MarketRates& market : card.markets) {
    for (Category category : kAllCategories) {
      markets.push_back(market.market);
      categories.push_back(categoryName(category));
      rates.push_back(market.rates_micros[static_cast<std::size_t>(category)]);
    }
  }

  pqxx::work txn(database.connection());
  refuseUnknownMarkets(card, path, txn);
  // Refusals (another card for this currency and date, a market removed meanwhile) come back as
  // sql_error with the database's message: exit 1, and the transaction is rolled back.
  const pqxx::row row =
      txn.exec_params1(kImportRateCard, card.currency, card.effective_from.iso(), source,
                       pgTextArray(markets), pgTextArray(categories), optionalBigintArray(rates));
  txn.commit();

  const auto card_id = row["card_id"].as<std::int64_t>();
  const std::string what = card.currency + " card effective " + card.effective_from.iso();
  if (row["created"].as<bool>()) {
    out << "imported " << what << ": " << card.markets.size() << " markets, " << card.cellCount()
        << " rates (" << card.missingCount() << " n/a) (card " << card_id << ")\n";
  } else {
    out << what << " is already imported, identical: nothing changed (card " << card_id << ")\n";
  }
}

void ratesShowCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "currency", "at", "json"});
  line.expectWords(0, "creditctl rates show [--currency CUR] [--at DATE] [--json]");
  std::optional<std::string> currency;
  if (auto given = line.option("currency")) currency = currencyArgument(*given);
  std::optional<std::string> at;
  if (auto given = line.option("at")) at = dateArgument("--at", *given).iso();

  pqxx::nontransaction txn(database.connection());
  if (!at) at = txn.exec1(kTodayUtc)[0].as<std::string>();
  const pqxx::result result = txn.exec_params(
      kRatesInForce, *at, currency ? currency->c_str() : static_cast<const char*>(nullptr));

  std::vector<CardInForce> cards;
  for (const pqxx::row& row : result) {
    const auto card_id = row["card_id"].as<std::int64_t>();
    if (cards.empty() || cards.back().card_id != card_id) {
      cards.push_back({card_id,
                       row["currency"].as<std::string>(),
                       row["effective_from"].as<std::string>(),
                       row["source"].as<std::string>(),
                       {}});
    }
    if (row["market"].is_null()) continue;
    const std::optional<Category> category = parseCategory(row["category"].as<std::string>());
    if (!category) continue;  // the table's CHECK allows only the five
    auto& rates = cards.back().rates[row["market"].as<std::string>()];
    if (!row["rate_micros"].is_null()) {
      rates[static_cast<std::size_t>(*category)] = row["rate_micros"].as<std::int64_t>();
    }
  }
  if (cards.empty() && currency) {
    throw CommandFailed("no " + *currency + " rate card in force on " + *at);
  }

  if (line.flag("json")) {
    boost::json::array json_cards;
    for (const CardInForce& card : cards) {
      boost::json::array json_rates;
      for (const auto& [market, rates] : card.rates) {
        boost::json::object json_market;
        json_market["market"] = market;
        for (Category category : kAllCategories) {
          const auto& rate = rates[static_cast<std::size_t>(category)];
          if (rate) {
            putMoney(json_market, categoryName(category), *rate);
          } else {  // n/a: no rate, never 0
            json_market[categoryName(category)] = nullptr;
            json_market[std::string(categoryName(category)) + "_micros"] = nullptr;
          }
        }
        json_rates.push_back(std::move(json_market));
      }
      boost::json::object json_card;
      json_card["card_id"] = card.card_id;
      json_card["currency"] = card.currency;
      json_card["effective_from"] = card.effective_from;
      json_card["source"] = card.source;
      json_card["rates"] = std::move(json_rates);
      json_cards.push_back(std::move(json_card));
    }
    boost::json::object json;
    json["at"] = *at;
    json["cards"] = std::move(json_cards);
    out << boost::json::serialize(json) << '\n';
    return;
  }

  if (cards.empty()) {
    out << "no rate cards in force on " << *at << '\n';
    return;
  }
  for (const CardInForce& card : cards) {
    out << card.currency << " card " << card.card_id << ", effective " << card.effective_from
        << ", in force on " << *at << " (source " << quotedText(card.source)
        << "): " << card.rates.size() << " markets\n";
    std::size_t width = 6;
    for (const auto& [market, rates] : card.rates) width = std::max(width, market.size());
    // Columns as wide as their names (at least 14): a rate is at most 8 characters below 100.
    const auto row = [&out, width](std::string_view first, const auto& cell) {
      out << "  " << std::left << std::setw(static_cast<int>(width)) << first;
      for (Category category : kAllCategories) {
        const std::string text = cell(category);
        out << "  ";
        if (category == kAllCategories.back()) {
          out << text;
        } else {
          out << std::setw(
                     static_cast<int>(std::max<std::size_t>(14, categoryName(category).size())))
              << text;
        }
      }
      out << '\n';
    };
    row("market", [](Category category) { return std::string(categoryName(category)); });
    for (const auto& [market, rates] : card.rates) {
      row(market, [&rates](Category category) {
        return rateText(rates[static_cast<std::size_t>(category)]);
      });
    }
    out << std::right;
  }
}

}  // namespace creditgate::ctl
