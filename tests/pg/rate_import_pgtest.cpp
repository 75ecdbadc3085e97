// Importing WhatsApp pricing reference data with creditctl, as an admin does it: the real binary,
// logged in as a member of creditgate_admin, against a real database. A file is imported whole or
// not at all, and importing it again changes nothing (not even rate_data_version).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "creditctl_runner.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

using ::testing::HasSubstr;

const std::string kUsdFile = CREDITGATE_SOURCE_DIR "/tests/data/pricing_usd_2025-07-01.csv";
const std::string kEurFile = CREDITGATE_SOURCE_DIR "/tests/data/pricing_eur_2026-07-01.csv";
const std::string kMapping2025 = CREDITGATE_SOURCE_DIR "/data/market_prefixes_2025.csv";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// What the rate tables hold; any write moves rate_data_version (statement triggers).
struct RateData {
  std::int64_t version, markets, prefixes, cards, rates;
  bool operator==(const RateData&) const = default;
};

class RateImportTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& dir : temp_files_) std::filesystem::remove_all(dir);
  }

  CtlResult ctl(const std::vector<std::string>& args, const std::string& dsn) {
    return runCreditctl(args, dsn);
  }
  CtlResult admin(const std::vector<std::string>& args) { return ctl(args, db_.adminDsn()); }

  // A file named `name` in a fresh temporary directory, removed after the test.
  std::string tempFile(const std::string& name, const std::string& content) {
    const auto dir =
        std::filesystem::temp_directory_path() /
        ("rate-import-" + std::to_string(::getpid()) + "-" + std::to_string(temp_files_.size()));
    std::filesystem::create_directories(dir);
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary) << content;
    temp_files_.push_back(dir);
    return path.string();
  }

  void importMapping2025() {
    const CtlResult run = admin({"markets", "import", kMapping2025, "--valid-from", "2025-07-01"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  RateData rateData() {
    return {db_.queryInt("SELECT version FROM creditgate.rate_data_version"), db_.count("market"),
            db_.count("market_prefix"), db_.count("rate_card"), db_.count("rate")};
  }

  std::optional<std::int64_t> rate(const std::string& currency, const std::string& market,
                                   const std::string& category) {
    pqxx::nontransaction txn(db_.connection());
    const auto result = txn.exec_params(
        "SELECT r.rate_micros FROM creditgate.rate r JOIN creditgate.rate_card c USING (card_id)"
        " WHERE c.currency = $1 AND r.market = $2 AND r.category = $3",
        currency, market, category);
    EXPECT_EQ(result.size(), 1u) << currency << " " << market << " " << category;
    if (result.empty() || result[0][0].is_null()) return std::nullopt;
    return result[0][0].as<std::int64_t>();
  }

  std::string marketAt(const std::string& prefix, const std::string& day) {
    pqxx::nontransaction txn(db_.connection());
    const auto result = txn.exec_params(
        "SELECT market FROM creditgate.market_prefixes_at($1::date) WHERE prefix = $2", day,
        prefix);
    return result.empty() ? "(none)" : result[0][0].as<std::string>();
  }

  TestDatabase db_;
  std::vector<std::filesystem::path> temp_files_;
};

TEST_F(RateImportTest, ImportsMetasPricingCsvWithExactRatesAndNotAvailableAsNull) {
  const CtlResult mapping =
      admin({"markets", "import", kMapping2025, "--valid-from", "2025-07-01"});
  ASSERT_EQ(mapping.exit_code, 0) << mapping.err;
  EXPECT_THAT(mapping.out, ::testing::StartsWith(
                               "market mapping from 2025-07-01: 162 added, 0 closed, 0 unchanged\n"
                               "new markets: "));
  EXPECT_EQ(db_.count("market"), 32);

  const CtlResult run = admin({"rates", "import", kUsdFile});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::int64_t card = db_.queryInt("SELECT card_id FROM creditgate.rate_card");
  EXPECT_EQ(run.out,
            "imported USD card effective 2025-07-01: 32 markets, 160 rates (23 n/a) (card " +
                std::to_string(card) + ")\n");
  EXPECT_EQ(rate("USD", "Argentina", "marketing"), 61800);
  EXPECT_EQ(rate("USD", "Argentina", "utility"), 28900);
  EXPECT_EQ(rate("USD", "Rest of Central & Eastern Europe", "marketing"), 86000);
  EXPECT_EQ(rate("USD", "Other", "authentication"), 7700);
  EXPECT_EQ(rate("USD", "India", "authentication_international"), 28000);
  EXPECT_EQ(rate("USD", "Argentina", "authentication_international"), std::nullopt);
  EXPECT_EQ(rate("USD", "Argentina", "service"), 0);
  EXPECT_EQ(db_.count("rate"), 160);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.rate WHERE rate_micros IS NULL"), 23);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.rate_card WHERE currency = 'USD' AND "
                         "effective_from = '2025-07-01' AND source = 'pricing_usd_2025-07-01.csv'"),
            1);
}

TEST_F(RateImportTest, ImportingTheSameFilesTwiceChangesNothing) {
  importMapping2025();
  ASSERT_EQ(admin({"rates", "import", kUsdFile}).exit_code, 0);
  const RateData before = rateData();

  const CtlResult again = admin({"rates", "import", kUsdFile, "--currency", "USD",
                                 "--effective-from", "2025-07-01", "--source", "other name"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, ::testing::MatchesRegex(
                             "USD card effective 2025-07-01 is already imported, identical: "
                             "nothing changed \\(card [0-9]+\\)\n"));
  const CtlResult mapping =
      admin({"markets", "import", kMapping2025, "--valid-from", "2025-07-01"});
  EXPECT_EQ(mapping.exit_code, 0) << mapping.err;
  EXPECT_EQ(mapping.out, "market mapping from 2025-07-01: 0 added, 0 closed, 162 unchanged\n");
  EXPECT_EQ(rateData(), before);
}

TEST_F(RateImportTest, ABadCellInTheLastRowChangesNothingAtAll) {
  importMapping2025();
  ASSERT_EQ(admin({"rates", "import", kEurFile}).exit_code, 0);
  const RateData before = rateData();
  // The USD file's last row (line 39) with one malformed rate.
  const std::string bad = tempFile(
      "Pricing.csv", replaced(readFile(kUsdFile), "Other,$US,0.0604,0.0077,0.0077,n/a,0.0000",
                              "Other,$US,0.0604,0.0077,0.0077,n/a,0.05.1"));
  const CtlResult run = admin({"rates", "import", bad});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("Pricing.csv line 39, column Service: '0.05.1' is not a plain "
                                 "decimal number"));
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(rateData(), before);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.rate_card WHERE currency = 'USD'"), 0);
}

TEST_F(RateImportTest, UnknownMarketsAreAllNamedWithTheirLinesAndNothingIsWritten) {
  importMapping2025();
  const RateData before = rateData();
  std::string text = replaced(readFile(kUsdFile), "Peru,", "Atlantis,");
  text = replaced(text, "Other,", "Narnia,");
  const CtlResult run = admin({"rates", "import", tempFile("Pricing.csv", text)});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("2 unknown markets: 'Atlantis' (line 24), 'Narnia' (line 39)"));
  EXPECT_EQ(rateData(), before);
}

TEST_F(RateImportTest, OtherRatesForAnImportedCurrencyAndDateAreRefusedAndANewDateIsACorrection) {
  importMapping2025();
  ASSERT_EQ(admin({"rates", "import", kUsdFile}).exit_code, 0);
  const RateData before = rateData();
  const std::string changed =
      replaced(readFile(kUsdFile), "Argentina,$US,0.0618", "Argentina,$US,0.0619");
  const CtlResult run = admin({"rates", "import", tempFile("Pricing.csv", changed)});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_THAT(run.err, HasSubstr("USD rate card effective 2025-07-01 already exists"));
  EXPECT_THAT(run.err, HasSubstr("Argentina marketing is 0.0618 in the card, 0.0619 in the file"));
  EXPECT_EQ(rateData(), before);

  // The same rates announced from a later date are a new card; both stay, each for its dates.
  const std::string corrected = replaced(changed, "July 1, 2025", "October 1, 2025");
  const CtlResult correction = admin({"rates", "import", tempFile("Pricing.csv", corrected)});
  ASSERT_EQ(correction.exit_code, 0) << correction.err;
  EXPECT_THAT(correction.out, HasSubstr("imported USD card effective 2025-10-01"));
  EXPECT_EQ(db_.count("rate_card"), 2);

  const auto argentinaMarketing = [this](const std::string& day) {
    const CtlResult show = admin({"rates", "show", "--currency", "USD", "--at", day, "--json"});
    EXPECT_EQ(show.exit_code, 0) << show.err;
    const auto json = boost::json::parse(show.out).as_object();
    for (const auto& market : json.at("cards").as_array().at(0).at("rates").as_array()) {
      if (market.at("market").as_string() == "Argentina") {
        return std::string(market.at("marketing").as_string());
      }
    }
    return std::string("(none)");
  };
  EXPECT_EQ(argentinaMarketing("2025-09-30"), "0.061800");
  EXPECT_EQ(argentinaMarketing("2025-10-01"), "0.061900");
}

TEST_F(RateImportTest, FileAndFlagsThatDisagreeAreRefusedBeforeConnecting) {
  // The DSN points nowhere: exit 2 (not 3) shows the file was refused before any connection.
  for (const auto& [args, mentions] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"rates", "import", kUsdFile, "--currency", "EUR"},
            "line 8, column Currency: the file says USD ('$US') but --currency says EUR"},
           {{"rates", "import", kUsdFile, "--effective-from", "2025-07-02"},
            "line 2: the file is effective 2025-07-01 but --effective-from says 2025-07-02"},
           {{"rates", "import", kUsdFile, "--effective-from", "2025-7-1"},
            "--effective-from '2025-7-1' must be a date written YYYY-MM-DD"},
           {{"rates", "import", "/nonexistent/Pricing.csv"},
            "cannot read '/nonexistent/Pricing.csv'"},
           {{"markets", "import", kMapping2025}, "--valid-from is required"},
           {{"markets", "import", kMapping2025, "--valid-from", "2025-02-30"}, "--valid-from"}}) {
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 2) << mentions << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(mentions));
  }
}

TEST_F(RateImportTest, AChangedMappingClosesTheOldRowAndOpensTheNewOneOnTheGivenDate) {
  importMapping2025();
  // 2026: Hong Kong (852) becomes its own market; Bahamas (1242) is dropped from the file.
  std::string text =
      replaced(readFile(kMapping2025), "\n852,Rest of Asia Pacific\n", "\n852,Hong Kong\n");
  text = replaced(text, "\n1242,Other\n", "\n");
  const std::string file = tempFile("market_prefixes_2026.csv", text);

  const CtlResult run = admin({"markets", "import", file, "--valid-from", "2026-01-01"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "market mapping from 2026-01-01: 1 added, 2 closed, 160 unchanged\n"
            "new markets: Hong Kong\n");
  EXPECT_EQ(marketAt("852", "2025-12-31"), "Rest of Asia Pacific");
  EXPECT_EQ(marketAt("852", "2026-01-01"), "Hong Kong");
  EXPECT_EQ(marketAt("1242", "2025-12-31"), "Other");
  EXPECT_EQ(marketAt("1242", "2026-01-01"), "(none)");
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.market_prefix WHERE prefix = '852' "
                         "AND valid_from = '2025-07-01' AND valid_to = '2026-01-01'"),
            1);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.market_prefix WHERE valid_to IS NULL"),
            161);

  // The same file again: unchanged.
  const RateData before = rateData();
  const CtlResult again = admin({"markets", "import", file, "--valid-from", "2026-01-01"});
  EXPECT_EQ(again.out, "market mapping from 2026-01-01: 0 added, 0 closed, 161 unchanged\n");
  EXPECT_EQ(rateData(), before);
}

// The erratum in data/README.md, applied as it tells a deployment to: the mapping first shipped
// (Guinea and Djibouti in Rest of Africa, the US territories under North America's "1") was
// imported from 2025-07-01; the corrected file is imported again from the day of the correction.
TEST_F(RateImportTest, ReimportingTheCorrectedMappingPricesGuineaDjiboutiAndUsTerritoriesAsOther) {
  std::string shipped = readFile(kMapping2025);
  shipped = replaced(shipped, "\n1340,Other\n", "\n");
  shipped = replaced(shipped, "\n1670,Other\n1671,Other\n1684,Other\n", "\n");
  shipped =
      replaced(shipped, "\n223,Rest of Africa\n", "\n223,Rest of Africa\n224,Rest of Africa\n");
  shipped =
      replaced(shipped, "\n252,Rest of Africa\n", "\n252,Rest of Africa\n253,Rest of Africa\n");
  const CtlResult first = admin({"markets", "import", tempFile("market_prefixes_2025.csv", shipped),
                                 "--valid-from", "2025-07-01"});
  ASSERT_EQ(first.exit_code, 0) << first.err;

  const CtlResult run = admin({"markets", "import", kMapping2025, "--valid-from", "2026-12-01"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "market mapping from 2026-12-01: 4 added, 2 closed, 158 unchanged\n");
  // No row is the fallback, Other. Decisions before the date keep the market they were priced in.
  for (const std::string prefix : {"224", "253"}) {
    EXPECT_EQ(marketAt(prefix, "2026-11-30"), "Rest of Africa") << prefix;
    EXPECT_EQ(marketAt(prefix, "2026-12-01"), "(none)") << prefix;
  }
  for (const std::string prefix : {"1340", "1670", "1671", "1684"}) {
    EXPECT_EQ(marketAt(prefix, "2026-11-30"), "(none)") << prefix;
    EXPECT_EQ(marketAt(prefix, "2026-12-01"), "Other") << prefix;
  }
  EXPECT_EQ(marketAt("252", "2026-12-01"), "Rest of Africa");

  // Following the erratum twice is harmless.
  const RateData before = rateData();
  const CtlResult again = admin({"markets", "import", kMapping2025, "--valid-from", "2026-12-01"});
  EXPECT_EQ(again.out, "market mapping from 2026-12-01: 0 added, 0 closed, 162 unchanged\n");
  EXPECT_EQ(rateData(), before);
}

TEST_F(RateImportTest, AMappingChangeOnTheSameOrAnEarlierDateIsRefusedAndChangesNothing) {
  importMapping2025();
  const RateData before = rateData();
  const std::string file = tempFile(
      "prefixes.csv",
      replaced(readFile(kMapping2025), "\n852,Rest of Asia Pacific\n", "\n852,Hong Kong\n"));
  for (const std::string day : {"2025-07-01", "2025-01-01"}) {
    const CtlResult run = admin({"markets", "import", file, "--valid-from", day});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_THAT(run.err, HasSubstr("prefix 852 maps to Rest of Asia Pacific from 2025-07-01, so a "
                                   "mapping from " +
                                   day + " cannot map it to Hong Kong"));
  }
  EXPECT_EQ(rateData(), before);
}

TEST_F(RateImportTest, AMalformedMappingFileIsRefusedWithItsLineAndChangesNothing) {
  importMapping2025();
  const RateData before = rateData();
  const std::string file = tempFile("prefixes.csv", readFile(kMapping2025) + "44,Other\n");
  const CtlResult run = admin({"markets", "import", file, "--valid-from", "2026-01-01"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("prefixes.csv line 164: prefix 44 is given twice"));
  EXPECT_EQ(rateData(), before);
}

TEST_F(RateImportTest, RatesShowListsTheCardsInForceOnADayAsExactDecimals) {
  importMapping2025();
  ASSERT_EQ(admin({"rates", "import", kUsdFile}).exit_code, 0);
  ASSERT_EQ(admin({"rates", "import", kEurFile}).exit_code, 0);

  const CtlResult before_eur = admin({"rates", "show", "--at", "2026-06-30", "--json"});
  ASSERT_EQ(before_eur.exit_code, 0) << before_eur.err;
  const auto json = boost::json::parse(before_eur.out).as_object();
  EXPECT_EQ(json.at("at").as_string(), "2026-06-30");
  ASSERT_EQ(json.at("cards").as_array().size(), 1u);
  const auto& usd = json.at("cards").as_array().at(0).as_object();
  EXPECT_EQ(usd.at("currency").as_string(), "USD");
  EXPECT_EQ(usd.at("rates").as_array().size(), 32u);
  const auto& argentina = usd.at("rates").as_array().at(0).as_object();
  EXPECT_EQ(argentina.at("market").as_string(), "Argentina");
  EXPECT_EQ(argentina.at("marketing").as_string(), "0.061800");
  EXPECT_TRUE(argentina.at("authentication_international").is_null());

  const CtlResult text = admin({"rates", "show", "--at", "2026-07-01", "--currency", "EUR"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("EUR card "));
  EXPECT_THAT(text.out,
              ::testing::ContainsRegex("\n  India +0.009900 +0.001200 +0.001200 +0.025200"));

  const CtlResult none = admin({"rates", "show", "--at", "2026-06-30", "--currency", "EUR"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("no EUR rate card in force on 2026-06-30"));
}

TEST_F(RateImportTest, OnlyAdminsMayImportAndAdminsMayQuote) {
  const auto allowed = [this](const std::string& role, const std::string& function) {
    pqxx::nontransaction txn(db_.connection());
    return txn.exec_params1("SELECT has_function_privilege($1, $2, 'EXECUTE')", role, function)[0]
        .as<bool>();
  };
  const std::string rate_card =
      "creditgate.import_rate_card(text,date,text,text[],text[],bigint[])";
  const std::string mapping = "creditgate.import_market_mapping(date,text[],text[],text[])";
  const std::string quote =
      "creditgate.quote_batch(text,text,text,text,text,text[],bigint[],text,text,bigint)";
  EXPECT_TRUE(allowed("creditgate_admin", rate_card));
  EXPECT_TRUE(allowed("creditgate_admin", mapping));
  EXPECT_TRUE(allowed("creditgate_admin", quote));
  EXPECT_FALSE(allowed("creditgate_plugin", rate_card));
  EXPECT_FALSE(allowed("creditgate_plugin", mapping));

  pqxx::connection plugin(db_.pluginDsn());
  pqxx::nontransaction txn(plugin);
  EXPECT_THROW(txn.exec("SELECT creditgate.import_market_mapping('2025-07-01', ARRAY['44'], "
                        "ARRAY['Other'], ARRAY[]::text[])"),
               pqxx::sql_error);
  EXPECT_EQ(db_.count("market_prefix"), 0);
}

}  // namespace
}  // namespace creditgate::testing
