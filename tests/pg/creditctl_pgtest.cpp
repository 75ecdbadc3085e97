// creditctl as an admin runs it: the real binary as a subprocess, logged in as a member of
// creditgate_admin, asserting on exit codes, printed text and what the database then holds.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "creditctl_runner.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

// Nothing listens on port 1 of the loopback (privileged and unused): connecting is refused.
// The fixture's admin login password (tests/support/test_database.cpp): it must never be printed.
constexpr const char* kAdminPassword = "test-only-password";

class CreditctlTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const CtlResult& run : runs_) {
      EXPECT_EQ((run.out + run.err).find(kAdminPassword), std::string::npos)
          << "a password was printed:\n"
          << run.out << run.err;
    }
  }

  // Runs creditctl with `args`; the DSN comes from CREDITGATE_ADMIN_DSN = `env_dsn` (unset when
  // nullopt), so the argument lists below read as an admin would type them.
  CtlResult ctl(const std::vector<std::string>& args,
                const std::optional<std::string>& env_dsn = std::nullopt) {
    CtlResult run = runCreditctl(args, env_dsn);
    runs_.push_back(run);
    return run;
  }

  // As an admin: a member of creditgate_admin, never the superuser.
  CtlResult admin(const std::vector<std::string>& args) { return ctl(args, db_.adminDsn()); }

  void addAcme() {
    const CtlResult run =
        admin({"tenant", "add", "acme", "--currency", "EUR", "--contact", "billing@acme.example"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  std::int64_t topupEntries() {
    return db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'topup'");
  }

  TestDatabase db_;
  std::vector<CtlResult> runs_;
};

TEST_F(CreditctlTest, AddsATenantOnceAndReportsItExistsTheSecondTime) {
  const CtlResult first = admin({"tenant", "add", "acme", "--currency", "EUR"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "tenant acme created (EUR)\n");
  const CtlResult second = admin({"tenant", "add", "acme", "--currency", "EUR"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "tenant acme already exists (EUR)\n");
  EXPECT_EQ(db_.count("tenant"), 1);
}

TEST_F(CreditctlTest, RefusesAnotherCurrencyForAnExistingTenantWithTheDatabasesMessage) {
  addAcme();
  const CtlResult run = admin({"tenant", "add", "acme", "--currency", "USD"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("already exists with currency EUR"), std::string::npos) << run.err;
}

TEST_F(CreditctlTest, RefusesABadTenantIdOrCurrencyBeforeTouchingTheDatabase) {
  // The DSN points nowhere: exit 2 (not 3) proves the check ran before any connection.
  for (const auto& [args, mentions] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"tenant", "add", "acme", "--currency", "eur"}, "--currency 'eur'"},
           {{"tenant", "add", "acme", "--currency", "EURO"}, "--currency 'EURO'"},
           {{"tenant", "add", "ac me", "--currency", "EUR"}, "tenant ID 'ac me'"},
           {{"tenant", "add", "", "--currency", "EUR"}, "tenant ID ''"},
           {{"tenant", "add", std::string(65, 'x'), "--currency", "EUR"}, "tenant ID 'xxx"},
           {{"tenant", "add", "acme"}, "--currency"}}) {
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 2) << mentions << ": " << run.err;
    EXPECT_NE(run.err.find(mentions), std::string::npos) << run.err;
  }
}

TEST_F(CreditctlTest, TopUpIsIdempotentByReferenceAndMovesTheBalanceOnce) {
  addAcme();
  const CtlResult first =
      admin({"topup", "acme", "12.5", "--ref", "inv-1", "--note", "first invoice"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(
      first.out.starts_with("topped up acme by 12.500000 EUR: balance 12.500000 EUR (entry "))
      << first.out;

  const CtlResult again = admin({"topup", "acme", "12.5", "--ref", "inv-1"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out,
            "top-up ref inv-1 was already applied: balance 12.500000 EUR (nothing changed)\n");

  EXPECT_EQ(db_.balance("acme"), 12'500'000);
  EXPECT_EQ(db_.ledgerSum("acme"), 12'500'000);
  EXPECT_EQ(topupEntries(), 1);
}

TEST_F(CreditctlTest, ReusingAReferenceWithAnotherAmountFailsAndChangesNothing) {
  addAcme();
  ASSERT_EQ(admin({"topup", "acme", "12.5", "--ref", "inv-1"}).exit_code, 0);
  const CtlResult run = admin({"topup", "acme", "13", "--ref", "inv-1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("inv-1 was already used"), std::string::npos) << run.err;
  EXPECT_EQ(db_.balance("acme"), 12'500'000);
  EXPECT_EQ(topupEntries(), 1);
}

TEST_F(CreditctlTest, AReusedReferenceNamesBothAmountsInTheTenantsCurrency) {
  addAcme();
  ASSERT_EQ(admin({"topup", "acme", "250", "--ref", "INV-1"}).exit_code, 0);
  const CtlResult run = admin({"topup", "acme", "300", "--ref", "INV-1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "creditctl: reference INV-1 was already used for tenant acme with 250.000000 EUR; "
            "this top-up is 300.000000 EUR\n");
  EXPECT_EQ(db_.balance("acme"), 250'000'000);
  EXPECT_EQ(db_.ledgerSum("acme"), 250'000'000);
  EXPECT_EQ(topupEntries(), 1);
}

TEST_F(CreditctlTest, TopUpJsonWritesEveryAmountAsADecimalAndItsMicroUnitsAsStrings) {
  addAcme();
  const CtlResult first = admin({"topup", "acme", "12.34", "--ref", "inv-1", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const boost::json::object o = boost::json::parse(first.out).as_object();
  EXPECT_EQ(o.at("tenant").as_string(), "acme");
  EXPECT_EQ(o.at("currency").as_string(), "EUR");
  EXPECT_EQ(o.at("reference").as_string(), "inv-1");
  EXPECT_FALSE(o.at("replayed").as_bool());
  EXPECT_EQ(o.at("amount").as_string(), "12.340000");
  EXPECT_EQ(o.at("amount_micros").as_string(), "12340000");
  EXPECT_EQ(o.at("balance").as_string(), "12.340000");
  EXPECT_EQ(o.at("balance_micros").as_string(), "12340000");
  EXPECT_TRUE(o.at("entry_id").is_int64());

  const CtlResult again = admin({"topup", "acme", "12.34", "--ref", "inv-1", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const boost::json::object replayed = boost::json::parse(again.out).as_object();
  EXPECT_TRUE(replayed.at("replayed").as_bool());
  EXPECT_EQ(replayed.at("balance_micros").as_string(), "12340000");
  EXPECT_EQ(db_.balance("acme"), 12'340'000);
}

TEST_F(CreditctlTest, TenantAddRefusesACodeThatIsNoActiveIso4217CurrencyWithExitTwo) {
  // XYZ is no code at all; XAU is gold, XTS the testing code, BOV a fund, HRK withdrawn in 2023.
  for (const std::string code : {"XYZ", "XAU", "XTS", "BOV", "HRK"}) {
    const CtlResult run = admin({"tenant", "add", "acme", "--currency", code});
    EXPECT_EQ(run.exit_code, 2) << code << ": " << run.err;
    EXPECT_NE(run.err.find("--currency '" + code + "' is not an active ISO 4217 currency code"),
              std::string::npos)
        << run.err;
    EXPECT_EQ(run.out, "");
  }
  EXPECT_EQ(db_.count("tenant"), 0);
  for (const std::string code : {"JPY", "IDR", "XOF", "ZWG"}) {
    const CtlResult run = admin({"tenant", "add", "t-" + code, "--currency", code});
    EXPECT_EQ(run.exit_code, 0) << code << ": " << run.err;
  }
  EXPECT_EQ(db_.count("tenant"), 4);
}

TEST_F(CreditctlTest, TopUpAmountsAreExactToTheMicroUnit) {
  addAcme();
  EXPECT_EQ(admin({"topup", "acme", "0.000001", "--ref", "a"}).exit_code, 0);
  EXPECT_EQ(admin({"topup", "acme", "12.5", "--ref", "b"}).exit_code, 0);
  const CtlResult third = admin({"topup", "acme", "0.1", "--ref", "c"});
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("balance 12.600001 EUR"), std::string::npos) << third.out;
  EXPECT_EQ(db_.balance("acme"), 12'600'001);
  EXPECT_EQ(db_.ledgerSum("acme"), 12'600'001);
}

TEST_F(CreditctlTest, RefusesInexactOrNonPositiveAmountsWithExitTwoAndWritesNothing) {
  addAcme();
  ASSERT_EQ(admin({"topup", "acme", "5", "--ref", "seed"}).exit_code, 0);
  for (const std::string amount : {"1e3", "-1", "0", "0.000000", "1.0000001", "", "1,5", " 1"}) {
    const CtlResult run = admin({"topup", "acme", amount, "--ref", "bad-" + amount});
    EXPECT_EQ(run.exit_code, 2) << "'" << amount << "': " << run.out << run.err;
    EXPECT_NE(run.err.find("AMOUNT '" + amount + "'"), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "");
  }
  // Not above zero says so in one way, whichever side of zero.
  for (const std::string amount : {"-1", "0"}) {
    EXPECT_NE(admin({"topup", "acme", amount, "--ref", "again-" + amount})
                  .err.find("AMOUNT '" + amount + "' must be more than 0"),
              std::string::npos);
  }
  EXPECT_EQ(db_.balance("acme"), 5'000'000);
  EXPECT_EQ(topupEntries(), 1);
}

TEST_F(CreditctlTest, RefusesATopUpWithoutAReference) {
  addAcme();
  EXPECT_EQ(admin({"topup", "acme", "5"}).exit_code, 2);
  EXPECT_EQ(admin({"topup", "acme", "5", "--ref", ""}).exit_code, 2);
  EXPECT_EQ(topupEntries(), 0);
}

TEST_F(CreditctlTest, UnknownTenantFailsWithExitOne) {
  addAcme();
  const CtlResult topup = admin({"topup", "nobody", "5", "--ref", "x"});
  EXPECT_EQ(topup.exit_code, 1);
  EXPECT_NE(topup.err.find("unknown tenant 'nobody'"), std::string::npos) << topup.err;
  const CtlResult balance = admin({"balance", "nobody"});
  EXPECT_EQ(balance.exit_code, 1);
  EXPECT_NE(balance.err.find("unknown tenant 'nobody'"), std::string::npos) << balance.err;
  EXPECT_EQ(topupEntries(), 0);
}

TEST_F(CreditctlTest, BalanceJsonShowsBalanceDebtSpendingTodayAndContact) {
  addAcme();
  ASSERT_EQ(admin({"topup", "acme", "10", "--ref", "inv-1"}).exit_code, 0);
  // As the plugin would: 12 EUR into the overdraft, 5 of them refunded, then 4 more. Test literals.
  db_.exec(
      "SELECT creditgate.decide_batch('acme', 'b1', 'c', 't', 'marketing',"
      " ARRAY['+4915110000000', '+4915110000001'], ARRAY[7000000, 5000000]::bigint[], 'EUR',"
      " 'flag', 10000000, NULL, NULL, NULL, 0)");
  db_.exec(
      "SELECT creditgate.settle_outcomes('acme', 'b1',"
      " ARRAY['+4915110000000', '+4915110000001'], ARRAY[true, false])");
  db_.exec(
      "SELECT creditgate.decide_batch('acme', 'b2', 'c', 't', 'marketing',"
      " ARRAY['+4915110000002'], ARRAY[4000000]::bigint[], 'EUR', 'flag', 10000000, NULL, NULL, NULL, 0)");
  ASSERT_EQ(db_.balance("acme"), -1'000'000);

  const CtlResult run = admin({"balance", "acme", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::value json = boost::json::parse(run.out);
  const boost::json::object& o = json.as_object();
  EXPECT_EQ(o.at("tenant").as_string(), "acme");
  EXPECT_EQ(o.at("currency").as_string(), "EUR");
  EXPECT_EQ(o.at("balance").as_string(), "-1.000000");
  EXPECT_EQ(o.at("balance_micros").as_string(), "-1000000");
  EXPECT_EQ(o.at("debt_micros").as_string(), "1000000");
  EXPECT_EQ(o.at("debt").as_string(), "1.000000");
  EXPECT_EQ(o.at("spent_today").as_string(), "11.000000");  // 7 + 5 - 5 refunded + 4
  EXPECT_EQ(o.at("spent_today_micros").as_string(), "11000000");
  EXPECT_EQ(o.at("contact").as_string(), "billing@acme.example");
  EXPECT_EQ(o.at("contacts"), boost::json::parse(R"(["billing@acme.example"])"));

  const CtlResult text = admin({"balance", "acme"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("-1.000000 EUR"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("\ncontacts     billing@acme.example\n"), std::string::npos) << text.out;
}

// A debit voided because its decision stayed in doubt (sql/014) was never sent: it is not spent,
// as the plugin's balance() says too (both read creditgate.tenant_account).
TEST_F(CreditctlTest, BalanceSpentTodayLeavesOutAVoidedDebit) {
  addAcme();
  ASSERT_EQ(admin({"topup", "acme", "10", "--ref", "inv-1"}).exit_code, 0);
  // As the plugin does when the answer of decide() attempt 7 was lost and no retry came. Literals.
  db_.exec(
      "SELECT creditgate.decide_batch('acme', 'lost', 'c', 't', 'marketing',"
      " ARRAY['+4915110000000'], ARRAY[3000000]::bigint[], 'EUR', 'block', 0, NULL, NULL, NULL,"
      " 0, 7)");
  db_.exec("SELECT creditgate.note_doubt('acme', 'lost', 7)");
  db_.exec("SELECT count(*) FROM creditgate.void_doubtful_batches(0, 10)");
  ASSERT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'void'"), 1);

  const CtlResult run = admin({"balance", "acme", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object o = boost::json::parse(run.out).as_object();
  EXPECT_EQ(o.at("balance").as_string(), "10.000000");
  EXPECT_EQ(o.at("spent_today").as_string(), "0.000000");
}

TEST_F(CreditctlTest, BalanceJsonOfAFreshTenantWithoutContactIsZeroAndNull) {
  ASSERT_EQ(admin({"tenant", "add", "globex", "--currency", "USD"}).exit_code, 0);
  const CtlResult run = admin({"balance", "globex", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object o = boost::json::parse(run.out).as_object();
  EXPECT_EQ(o.at("balance").as_string(), "0.000000");
  EXPECT_EQ(o.at("balance_micros").as_string(), "0");
  EXPECT_EQ(o.at("debt").as_string(), "0.000000");
  EXPECT_EQ(o.at("spent_today").as_string(), "0.000000");
  EXPECT_TRUE(o.at("contact").is_null());
  EXPECT_TRUE(o.at("contacts").as_array().empty());
  const CtlResult text = admin({"balance", "globex"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("\ncontacts     (none)\n"), std::string::npos) << text.out;
}

// A tenant ID is 1 to 64 printable ASCII characters without spaces (tools/creditctl/arguments.cpp,
// the tenant table's CHECK): quotes and semicolons are allowed, so an ID that looks like SQL is
// stored verbatim and found again; one with a space is refused before connecting. A top-up
// reference that looks like SQL is stored verbatim too. Every table is still there afterwards.
TEST_F(CreditctlTest, SqlLookingTenantIdsAndReferencesAreStoredAsData) {
  const std::string tenant = "acme';--";
  const CtlResult add = admin({"tenant", "add", tenant, "--currency", "EUR"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out, "tenant acme';-- created (EUR)\n");
  {
    pqxx::nontransaction txn(db_.connection());
    EXPECT_EQ(txn.exec_params1("SELECT count(*) FROM creditgate.tenant WHERE tenant_id = $1",
                               tenant)[0]
                  .as<int>(),
              1);
  }
  EXPECT_EQ(db_.count("tenant"), 1);

  const CtlResult spaced =
      ctl({"tenant", "add", "acme'; DROP TABLE creditgate.tenant; --", "--currency", "EUR"},
          kUnreachableDsn);
  EXPECT_EQ(spaced.exit_code, 2) << spaced.err;
  EXPECT_NE(spaced.err.find("without spaces"), std::string::npos) << spaced.err;

  const std::string reference = "x'); DROP TABLE creditgate.tenant; --";
  const CtlResult topup = admin({"topup", tenant, "7.5", "--ref", reference});
  ASSERT_EQ(topup.exit_code, 0) << topup.err;
  EXPECT_TRUE(topup.out.starts_with("topped up acme';-- by 7.500000 EUR: balance 7.500000 EUR"))
      << topup.out;
  const CtlResult again = admin({"topup", tenant, "7.5", "--ref", reference});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "top-up ref " + reference +
                           " was already applied: balance 7.500000 EUR (nothing changed)\n");

  const CtlResult balance = admin({"balance", tenant, "--json"});
  ASSERT_EQ(balance.exit_code, 0) << balance.err;
  const boost::json::object o = boost::json::parse(balance.out).as_object();
  EXPECT_EQ(o.at("tenant").as_string(), tenant);
  EXPECT_EQ(o.at("balance_micros").as_string(), "7500000");

  {
    pqxx::nontransaction txn(db_.connection());
    const pqxx::result rows = txn.exec(
        "SELECT tenant_id, reference FROM creditgate.ledger_entry WHERE kind = 'topup'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0].as<std::string>(), tenant);
    EXPECT_EQ(rows[0][1].as<std::string>(), reference);
    for (const char* table : {"tenant", "ledger_entry", "batch"}) {
      EXPECT_EQ(txn.exec_params1("SELECT to_regclass($1) IS NOT NULL",
                                 std::string("creditgate.") + table)[0]
                    .as<bool>(),
                true)
          << table;
    }
  }
  EXPECT_EQ(db_.balance(tenant), 7'500'000);
  EXPECT_EQ(db_.ledgerSum(tenant), 7'500'000);
}

TEST_F(CreditctlTest, UnreachableDatabaseExitsThreeAndNeverPrintsTheDsnPassword) {
  const std::vector<std::vector<std::string>> commands = {
      {"balance", "acme"},
      {"balance", "acme", "--json"},
      {"topup", "acme", "5", "--ref", "x"},
      {"tenant", "add", "acme", "--currency", "EUR"},
      {"migrate"}};
  for (const auto& args : commands) {
    for (const bool by_flag : {true, false}) {
      std::vector<std::string> line = args;
      if (by_flag) line.insert(line.begin(), {"--dsn", kUnreachableDsn});
      const CtlResult run = by_flag ? ctl(line) : ctl(line, kUnreachableDsn);
      EXPECT_EQ(run.exit_code, 3) << args[0] << ": " << run.err;
      EXPECT_TRUE(run.err.starts_with("creditctl: cannot reach the database: ")) << run.err;
      EXPECT_EQ((run.out + run.err).find(kSentinel), std::string::npos) << run.out << run.err;
    }
  }
  const CtlResult uri =
      ctl({"--dsn", "postgresql://ops:" + std::string(kSentinel) + "@127.0.0.1:1/x", "balance",
           "acme"});
  EXPECT_EQ(uri.exit_code, 3) << uri.err;
  EXPECT_EQ((uri.out + uri.err).find(kSentinel), std::string::npos) << uri.out << uri.err;
}

TEST_F(CreditctlTest, MalformedDsnIsAUsageErrorThatDoesNotQuoteIt) {
  // libpq's own parse errors quote the DSN: 'missing "=" after "s3cr3t-sentinel"' for a password
  // typed without its key.
  for (const std::string& dsn : {"host=127.0.0.1 user=ops " + std::string(kSentinel),
                                 "host=127.0.0.1 password=" + std::string(kSentinel) + " broken",
                                 "password='" + std::string(kSentinel)}) {
    const CtlResult run = ctl({"--dsn", dsn, "balance", "acme"});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find("DSN is malformed"), std::string::npos) << run.err;
    EXPECT_EQ((run.out + run.err).find(kSentinel), std::string::npos) << run.out << run.err;
  }
}

TEST_F(CreditctlTest, DsnFlagWinsOverTheEnvironment) {
  addAcme();
  const CtlResult run = ctl({"--dsn", db_.adminDsn(), "balance", "acme"}, kUnreachableDsn);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ctl({"balance", "acme"}).exit_code, 2);  // no DSN at all is a usage error
}

TEST_F(CreditctlTest, MigrateReportsEveryFileAlreadyAppliedAndNeedsMoreThanTheAdminRole) {
  const CtlResult run = ctl({"migrate"}, db_.superuserDsn());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("already applied 001_roles_and_schema.sql\n"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("already applied 006_privileges.sql\n"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("\napplied "), std::string::npos) << run.out;

  EXPECT_EQ(admin({"migrate"}).exit_code, 1);
}

TEST_F(CreditctlTest, PrintsUsageForHelpAndRefusesUnknownCommandsAndOptions) {
  const CtlResult help = ctl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("creditctl topup TENANT AMOUNT --ref REF"), std::string::npos)
      << help.out;
  const CtlResult topup_help = ctl({"topup", "--help"});
  EXPECT_EQ(topup_help.exit_code, 0);
  EXPECT_TRUE(topup_help.out.starts_with("usage: creditctl topup")) << topup_help.out;
  EXPECT_EQ(ctl({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(ctl({}).exit_code, 2);
  EXPECT_EQ(admin({"balance", "acme", "--ref", "x"}).exit_code, 2);
  EXPECT_EQ(admin({"balance", "acme", "--frob"}).exit_code, 2);
}

}  // namespace
}  // namespace creditgate::testing
