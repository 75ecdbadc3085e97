// creditctl markets import: the dated market mapping (which prefix is priced in which market).
#include <pqxx/pqxx>
#include <set>
#include <string_view>
#include <vector>

#include "arguments.hpp"
#include "commands.hpp"
#include "market_mapping_csv.hpp"
#include "pg_array.hpp"

namespace creditgate::ctl {
namespace {

constexpr const char* kKnownMarkets = "SELECT market FROM creditgate.market";
constexpr const char* kImportMapping =
    "SELECT added, closed, unchanged FROM creditgate.import_market_mapping("
    "$1::date, $2::text[], $3::text[], $4::text[])";

}  // namespace

void marketsImportCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "valid-from"});
  line.expectWords(1, "creditctl markets import FILE --valid-from DATE");
  const std::string& path = line.words()[0];
  const admin::CalendarDate valid_from =
      dateArgument("--valid-from", line.requiredOption("valid-from"));
  // The whole file is checked before any connection: a bad file writes nothing.
  const std::vector<admin::MarketPrefixRow> rows =
      admin::parseMarketMappingCsv(inputFileArgument(path), path);

  std::vector<std::string_view> prefixes;
  std::vector<std::string_view> markets;
  for (const admin::MarketPrefixRow& row : rows) {
    prefixes.push_back(row.prefix);
    markets.push_back(row.market);
  }

  pqxx::work txn(database.connection());
  std::set<std::string, std::less<>> known;
  for (const auto& row : txn.exec(kKnownMarkets)) known.insert(row[0].as<std::string>());
  std::vector<std::string_view> new_markets;  // in file order, each once
  for (const admin::MarketPrefixRow& row : rows) {
    if (known.insert(row.market).second) new_markets.push_back(row.market);
  }
  const pqxx::row result = txn.exec_params1(kImportMapping, valid_from.iso(), pgTextArray(prefixes),
                                            pgTextArray(markets), pgTextArray(new_markets));
  txn.commit();

  out << "market mapping from " << valid_from.iso() << ": " << result["added"].as<int>()
      << " added, " << result["closed"].as<int>() << " closed, " << result["unchanged"].as<int>()
      << " unchanged\n";
  if (!new_markets.empty()) {
    out << "new markets:";
    for (std::size_t i = 0; i < new_markets.size(); ++i) {
      out << (i == 0 ? " " : ", ") << new_markets[i];
    }
    out << '\n';
  }
}

}  // namespace creditgate::ctl
