// creditctl's reports (ledger, batches, events), tenant contacts and pricing, and quote, as an
// admin runs them: the real binary against a real database, money moved the way the plugin moves it
// (the money functions), asserting on what is printed and what the database then holds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "creditctl_runner.hpp"
#include "fake_host.hpp"
#include "gate_factory.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;


// Test literals: numbers in Germany (+49) and India (+91) under the 2025 mapping.
const std::vector<std::string> kGermans = {"+4915110000001", "+4915110000002"};
const std::vector<std::string> kIndians = {"+919764000001", "+919764000002", "+919764000003"};

boost::json::object parsedObject(const std::string& text) {
  return boost::json::parse(text).as_object();
}

class CreditctlReportsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const CtlResult& run : runs_) {
      EXPECT_THAT(run.out + run.err, Not(HasSubstr(kLoginPassword))) << "a password was printed";
      EXPECT_THAT(run.out + run.err, Not(HasSubstr(kSentinel))) << "a password was printed";
    }
  }

  CtlResult ctl(const std::vector<std::string>& args, const std::optional<std::string>& dsn) {
    CtlResult run = runCreditctl(args, dsn);
    runs_.push_back(run);
    return run;
  }
  CtlResult admin(const std::vector<std::string>& args) { return ctl(args, db_.adminDsn()); }

  // The day `days` from today (UTC) as the database counts it, "YYYY-MM-DD".
  std::string dayFromToday(int days) {
    pqxx::nontransaction txn(db_.connection());
    return txn
        .exec_params1("SELECT ((now() AT TIME ZONE 'UTC')::date + $1::integer)::text", days)[0]
        .as<std::string>();
  }

  // As the plugin decides a batch: block policy, no overdraft, no low-balance levels, no pacing.
  // Test literals only.
  void decide(const std::string& sql_tail) {
    db_.exec("SELECT creditgate.decide_batch(" + sql_tail + ", NULL, NULL, 0)");
  }

  std::int64_t outboxAttempts() {
    return db_.queryInt(
        "SELECT (SELECT coalesce(sum(attempts), 0) FROM creditgate.notification_delivery)"
        "     + (SELECT count(*) FROM creditgate.outbox_event WHERE fanned_out_at IS NOT NULL)");
  }

  TestDatabase db_;
  std::vector<CtlResult> runs_;
};

TEST_F(CreditctlReportsTest, LedgerListsEveryEntryOldestFirstWithExactAmounts) {
  db_.addTenant("acme", "EUR", 0);
  db_.topup("acme", 10'000'000, "inv-1");
  decide(
      "'acme', 'b-1', 'spring', 't', 'marketing', ARRAY['+4915110000001', '+4915110000002'],"
      " ARRAY[1234567, 1]::bigint[], 'EUR', 'block', 0, NULL");
  db_.exec(
      "SELECT creditgate.settle_outcomes('acme', 'b-1', ARRAY['+4915110000002'], ARRAY[false])");

  const CtlResult run = admin({"ledger", "acme", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = parsedObject(run.out);
  EXPECT_EQ(json.at("tenant").as_string(), "acme");
  EXPECT_EQ(json.at("currency").as_string(), "EUR");
  EXPECT_EQ(json.at("matching").as_int64(), 3);
  EXPECT_FALSE(json.at("truncated").as_bool());
  const boost::json::array& entries = json.at("entries").as_array();
  ASSERT_EQ(entries.size(), 3u);
  const auto& topup = entries[0].as_object();
  EXPECT_EQ(topup.at("kind").as_string(), "topup");
  EXPECT_EQ(topup.at("amount").as_string(), "10.000000");
  EXPECT_EQ(topup.at("balance_after").as_string(), "10.000000");
  EXPECT_EQ(topup.at("reference").as_string(), "inv-1");
  EXPECT_TRUE(topup.at("batch_id").is_null());
  const auto& debit = entries[1].as_object();
  EXPECT_EQ(debit.at("kind").as_string(), "debit");
  EXPECT_EQ(debit.at("amount").as_string(), "-1.234568");
  EXPECT_EQ(debit.at("amount_micros").as_string(), "-1234568");
  EXPECT_EQ(debit.at("balance_after").as_string(), "8.765432");
  EXPECT_EQ(debit.at("batch_id").as_string(), "b-1");
  const auto& refund = entries[2].as_object();
  EXPECT_EQ(refund.at("kind").as_string(), "refund");
  EXPECT_EQ(refund.at("amount").as_string(), "0.000001");
  EXPECT_EQ(refund.at("balance_after").as_string(), "8.765433");
  EXPECT_EQ(refund.at("recipient").as_string(), "+4915110000002");
  EXPECT_LT(topup.at("entry_id").as_int64(), debit.at("entry_id").as_int64());
  EXPECT_TRUE(topup.at("time").as_string().ends_with("Z"));

  const CtlResult text = admin({"ledger", "acme"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("ledger of acme (EUR): 3 entries\n"));
  EXPECT_THAT(text.out, HasSubstr("-1.234568"));
  EXPECT_THAT(text.out, HasSubstr("+4915110000002"));
  EXPECT_THAT(text.out, Not(HasSubstr("showing the newest")));
}

TEST_F(CreditctlReportsTest, LedgerLimitShowsTheNewestEntriesAndSaysMoreMatched) {
  db_.addTenant("acme", "EUR", 0);
  for (const char* ref : {"r-1", "r-2", "r-3"}) db_.topup("acme", 1'000'000, ref);

  const CtlResult run = admin({"ledger", "acme", "--limit", "2", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = parsedObject(run.out);
  EXPECT_EQ(json.at("matching").as_int64(), 3);
  EXPECT_TRUE(json.at("truncated").as_bool());
  const boost::json::array& entries = json.at("entries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].at("reference").as_string(), "r-2");
  EXPECT_EQ(entries[1].at("reference").as_string(), "r-3");

  const CtlResult text = admin({"ledger", "acme", "--limit", "2"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("showing the newest 2 of 3 entries"));
}

TEST_F(CreditctlReportsTest, LedgerSinceShowsOnlyEntriesFromThatDayOn) {
  db_.addTenant("acme", "EUR", 0);
  // An entry from three days ago, written as the superuser (the admin role cannot).
  db_.exec(
      "INSERT INTO creditgate.ledger_entry (tenant_id, kind, amount_micros, balance_after_micros,"
      " reference, created_at) VALUES ('acme', 'topup', 1000000, 1000000, 'old',"
      " now() - interval '3 days')");
  db_.exec("UPDATE creditgate.tenant SET balance_micros = 1000000 WHERE tenant_id = 'acme'");
  db_.topup("acme", 2'000'000, "new");

  const auto references = [this](const std::string& since) {
    const CtlResult run = admin({"ledger", "acme", "--since", since, "--json"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<std::string> out;
    const boost::json::object json = parsedObject(run.out);
    for (const auto& entry : json.at("entries").as_array()) {
      out.emplace_back(entry.at("reference").as_string());
    }
    return out;
  };
  EXPECT_EQ(references(dayFromToday(-1)), std::vector<std::string>{"new"});
  EXPECT_EQ(references(dayFromToday(-5)), (std::vector<std::string>{"old", "new"}));
  EXPECT_TRUE(references(dayFromToday(1)).empty());
}

TEST_F(CreditctlReportsTest, BatchesBlockedShowsTheRefusalWithItsShortfall) {
  db_.addTenant("acme", "EUR", 1'000'000);
  decide(
      "'acme', 'b-big', 'spring', 't', 'marketing', ARRAY['+4915110000001'],"
      " ARRAY[1500000]::bigint[], 'EUR', 'block', 0, NULL");
  ASSERT_EQ(db_.count("batch_refusal"), 1);

  const CtlResult run = admin({"batches", "acme", "--status", "blocked", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = parsedObject(run.out);
  EXPECT_EQ(json.at("status").as_string(), "blocked");
  const boost::json::array& batches = json.at("batches").as_array();
  ASSERT_EQ(batches.size(), 1u);
  const auto& refusal = batches[0].as_object();
  EXPECT_EQ(refusal.at("batch_id").as_string(), "b-big");
  EXPECT_EQ(refusal.at("reason").as_string(), "insufficient_credit");
  EXPECT_EQ(refusal.at("price").as_string(), "1.500000");
  EXPECT_EQ(refusal.at("balance").as_string(), "1.000000");
  EXPECT_EQ(refusal.at("shortfall").as_string(), "0.500000");
  EXPECT_EQ(refusal.at("recipients").as_int64(), 1);

  const CtlResult text = admin({"batches", "acme", "--status", "blocked"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("SHORTFALL"));
  EXPECT_THAT(text.out, HasSubstr("0.500000"));
  EXPECT_THAT(text.out, HasSubstr("insufficient_credit"));
}

TEST_F(CreditctlReportsTest, BatchesFlaggedShowsOnlyTheBatchSentIntoTheOverdraft) {
  db_.addTenant("acme", "EUR", 1'000'000);
  decide(
      "'acme', 'b-fits', 'c', 't', 'marketing', ARRAY['+4915110000001'],"
      " ARRAY[500000]::bigint[], 'EUR', 'flag', 5000000, NULL");
  decide(
      "'acme', 'b-over', 'c', 't', 'marketing', ARRAY['+4915110000001', '+4915110000002'],"
      " ARRAY[1000000, 1000000]::bigint[], 'EUR', 'flag', 5000000, NULL");

  const CtlResult run = admin({"batches", "acme", "--status", "flagged", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = parsedObject(run.out);
  const boost::json::array& batches = json.at("batches").as_array();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].at("batch_id").as_string(), "b-over");
  EXPECT_EQ(batches[0].at("charged").as_string(), "2.000000");
  EXPECT_EQ(batches[0].at("balance_after").as_string(), "-1.500000");
  EXPECT_EQ(batches[0].at("reason").as_string(), "overdraft");

  const CtlResult partial = admin({"batches", "acme", "--status", "partial", "--json"});
  ASSERT_EQ(partial.exit_code, 0) << partial.err;
  EXPECT_TRUE(parsedObject(partial.out).at("batches").as_array().empty());
  const CtlResult text = admin({"batches", "acme", "--status", "flagged"});
  EXPECT_THAT(text.out, HasSubstr("b-over"));
  EXPECT_THAT(text.out, Not(HasSubstr("b-fits")));
}

TEST_F(CreditctlReportsTest, BatchesPartialShowsRecipientsAllowedOfTotalAndTheHeldCount) {
  db_.addTenant("acme", "EUR", 1'000'000);
  decide(
      "'acme', 'b-part', 'c', 't', 'utility',"
      " ARRAY['+4915110000001', '+4915110000002', '+4915110000003'],"
      " ARRAY[400000, 400000, 400000]::bigint[], 'EUR', 'partial', 0, NULL");

  const CtlResult run = admin({"batches", "acme", "--status", "partial", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = parsedObject(run.out);
  const boost::json::array& batches = json.at("batches").as_array();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].at("recipients_allowed").as_int64(), 2);
  EXPECT_EQ(batches[0].at("recipients_total").as_int64(), 3);
  EXPECT_EQ(batches[0].at("held").as_int64(), 1);
  EXPECT_EQ(batches[0].at("charged").as_string(), "0.800000");

  const CtlResult text = admin({"batches", "acme", "--status", "partial"});
  EXPECT_THAT(text.out, HasSubstr("2/3"));
}

TEST_F(CreditctlReportsTest, EventsListsPendingAndSentEventsAndPendingFilters) {
  db_.addTenant("acme", "EUR", 1'000'000);
  db_.addTenant("bistro", "EUR", 1'000'000);
  // Two refusals, two insufficient_credit events, each fanned out to its tenant's one contact (a
  // host contact: addTenant's billing@<tenant>.example). A relay delivers acme's; bistro's is
  // answered 451 and waits a minute for its retry.
  decide(
      "'acme', 'b-1', 'c', 't', 'marketing', ARRAY['+4915110000001'],"
      " ARRAY[2000000]::bigint[], 'EUR', 'block', 0, NULL");
  decide(
      "'bistro', 'b-1', 'c', 't', 'marketing', ARRAY['+4915110000001'],"
      " ARRAY[2000000]::bigint[], 'EUR', 'block', 0, NULL");
  db_.exec(
      "SELECT creditgate.finish_delivery('test-relay', tenant_id, event_id, channel,"
      "         CASE WHEN tenant_id = 'acme' THEN 'delivered' ELSE 'retry' END,"
      "         CASE WHEN tenant_id = 'acme' THEN 250 ELSE 451 END,"
      "         CASE WHEN tenant_id = 'acme' THEN NULL ELSE '451 try again later' END,"
      "         60000, 86400000)"
      "  FROM creditgate.claim_deliveries('test-relay', 10, 60000)");
  ASSERT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.outbox_event WHERE sent_at IS NULL"), 1);

  const CtlResult all = admin({"events", "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const boost::json::object all_json = parsedObject(all.out);
  const boost::json::array& events = all_json.at("events").as_array();
  ASSERT_EQ(events.size(), 2u);
  const auto& sent = events[0].as_object();
  EXPECT_EQ(sent.at("tenant").as_string(), "acme");
  EXPECT_EQ(sent.at("type").as_string(), "insufficient_credit");
  EXPECT_FALSE(sent.at("pending").as_bool());
  EXPECT_TRUE(sent.at("sent").is_string());
  EXPECT_EQ(sent.at("attempts").as_int64(), 1);  // the sum of its deliveries' attempts
  EXPECT_TRUE(sent.at("last_error").is_null());
  EXPECT_TRUE(sent.at("next_attempt").is_null());
  EXPECT_TRUE(sent.at("payload").is_object());
  const boost::json::array& sent_deliveries = sent.at("deliveries").as_array();
  ASSERT_EQ(sent_deliveries.size(), 1u);
  const auto& delivered = sent_deliveries[0].as_object();
  EXPECT_EQ(delivered.at("channel").as_string(), "billing@acme.example");
  EXPECT_EQ(delivered.at("kind").as_string(), "host");
  EXPECT_EQ(delivered.at("state").as_string(), "delivered");
  EXPECT_EQ(delivered.at("attempts").as_int64(), 1);
  EXPECT_EQ(delivered.at("last_status").as_int64(), 250);
  EXPECT_TRUE(delivered.at("last_error").is_null());
  EXPECT_TRUE(delivered.at("delivered").as_string().ends_with("Z"));
  EXPECT_TRUE(delivered.at("next_attempt").is_null());

  const auto& pending = events[1].as_object();
  EXPECT_EQ(pending.at("tenant").as_string(), "bistro");
  EXPECT_TRUE(pending.at("pending").as_bool());
  EXPECT_TRUE(pending.at("sent").is_null());
  EXPECT_EQ(pending.at("attempts").as_int64(), 1);
  EXPECT_EQ(pending.at("last_error").as_string(), "451 try again later");
  EXPECT_TRUE(pending.at("next_attempt").is_string());
  const boost::json::array& pending_deliveries = pending.at("deliveries").as_array();
  ASSERT_EQ(pending_deliveries.size(), 1u);
  const auto& retrying = pending_deliveries[0].as_object();
  EXPECT_EQ(retrying.at("channel").as_string(), "billing@bistro.example");
  EXPECT_EQ(retrying.at("kind").as_string(), "host");
  EXPECT_EQ(retrying.at("state").as_string(), "pending");
  EXPECT_EQ(retrying.at("attempts").as_int64(), 1);
  EXPECT_EQ(retrying.at("last_status").as_int64(), 451);
  EXPECT_EQ(retrying.at("last_error").as_string(), "451 try again later");
  EXPECT_TRUE(retrying.at("delivered").is_null());
  EXPECT_EQ(retrying.at("next_attempt"), pending.at("next_attempt"));

  const CtlResult only_pending = admin({"events", "--pending", "--json"});
  ASSERT_EQ(only_pending.exit_code, 0) << only_pending.err;
  const boost::json::object pending_json = parsedObject(only_pending.out);
  const boost::json::array& pending_events = pending_json.at("events").as_array();
  ASSERT_EQ(pending_events.size(), 1u);
  EXPECT_EQ(pending_events[0].at("tenant").as_string(), "bistro");

  const CtlResult of_acme = admin({"events", "--tenant", "acme", "--json"});
  ASSERT_EQ(of_acme.exit_code, 0) << of_acme.err;
  EXPECT_EQ(parsedObject(of_acme.out).at("events").as_array().size(), 1u);

  const CtlResult text = admin({"events"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("events: 2\n"));
  EXPECT_THAT(text.out, HasSubstr("DELIVERIES"));
  EXPECT_THAT(text.out, HasSubstr("billing@acme.example delivered"));
  EXPECT_THAT(text.out, HasSubstr("billing@bistro.example pending 1x (451)"));
  EXPECT_THAT(text.out, HasSubstr("insufficient_credit"));

  const CtlResult unknown = admin({"events", "--tenant", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown tenant 'nobody'"));
}

TEST_F(CreditctlReportsTest, TenantContactsReplacesWhoIsToldAndRefusesAnUnknownTenant) {
  ASSERT_EQ(admin({"tenant", "add", "acme", "--currency", "EUR"}).exit_code, 0);  // no contact
  const CtlResult run =
      admin({"tenant", "contacts", "acme", "billing@acme.example", "+4915110000009"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.tenant WHERE tenant_id = 'acme' AND"
                         " contacts = ARRAY['billing@acme.example', '+4915110000009']"),
            1);
  const CtlResult balance = admin({"balance", "acme"});
  EXPECT_THAT(balance.out, HasSubstr("billing@acme.example"));

  ASSERT_EQ(admin({"tenant", "contacts", "acme", "ops@acme.example"}).exit_code, 0);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.tenant WHERE tenant_id = 'acme' AND"
                         " contacts = ARRAY['ops@acme.example']"),
            1);

  const CtlResult unknown = admin({"tenant", "contacts", "nobody", "x@example.com"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown tenant 'nobody'"));
}

TEST_F(CreditctlReportsTest, TenantPricingSetsEligibilityAndHomeMarketAndRefusesUnknownOnes) {
  db_.seedRates();
  db_.addTenant("acme", "EUR", 0);
  const CtlResult yes = admin(
      {"tenant", "pricing", "acme", "--auth-international", "yes", "--home-market", "Germany"});
  ASSERT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.tenant WHERE tenant_id = 'acme' AND"
                         " auth_international_eligible AND home_market = 'Germany'"),
            1);

  const CtlResult no = admin({"tenant", "pricing", "acme", "--auth-international", "no"});
  ASSERT_EQ(no.exit_code, 0) << no.err;
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.tenant WHERE tenant_id = 'acme' AND"
                         " NOT auth_international_eligible AND home_market IS NULL"),
            1);

  const CtlResult atlantis = admin(
      {"tenant", "pricing", "acme", "--auth-international", "yes", "--home-market", "Atlantis"});
  EXPECT_EQ(atlantis.exit_code, 1);
  EXPECT_THAT(atlantis.err, HasSubstr("unknown market 'Atlantis'"));
  EXPECT_THAT(atlantis.err, Not(HasSubstr("foreign key")));  // our words, not the database's
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.tenant WHERE home_market IS NOT NULL"),
            0);

  const CtlResult unknown = admin({"tenant", "pricing", "nobody", "--auth-international", "no"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown tenant 'nobody'"));
}

TEST_F(CreditctlReportsTest, UnknownTenantInAReportFailsWithExitOne) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ledger", "nobody"}, {"batches", "nobody", "--status", "blocked"}}) {
    const CtlResult run = admin(args);
    EXPECT_EQ(run.exit_code, 1) << args[0];
    EXPECT_THAT(run.err, HasSubstr("unknown tenant 'nobody'"));
  }
}

TEST_F(CreditctlReportsTest, BadArgumentsExitTwoBeforeConnecting) {
  // The DSN points nowhere: exit 2 (not 3) proves the check ran before any connection.
  for (const auto& [args, mentions] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"ledger", "acme", "--limit", "0"}, "--limit '0'"},
           {{"ledger", "acme", "--limit", "x"}, "--limit 'x'"},
           {{"ledger", "acme", "--limit", "10001"}, "--limit '10001'"},
           {{"ledger", "acme", "--since", "2026-13-01"}, "--since '2026-13-01'"},
           {{"ledger", "ac me"}, "tenant ID 'ac me'"},
           {{"ledger"}, "missing argument"},
           {{"batches", "acme"}, "--status is required"},
           {{"batches", "acme", "--status", "late"}, "--status 'late'"},
           {{"events", "--limit", "-1"}, "--limit '-1'"},
           {{"events", "--tenant", ""}, "tenant ID ''"},
           {{"events", "extra"}, "too many arguments"},
           {{"tenant", "contacts", "acme"}, "missing argument"},
           {{"tenant", "contacts", "acme", "a\nb"}, "contact 'a\\x0ab'"},
           {{"tenant", "pricing", "acme"}, "--auth-international is required"},
           {{"tenant", "pricing", "acme", "--auth-international", "maybe"}, "'maybe'"},
           {{"tenant", "pricing", "acme", "--auth-international", "yes"}, "needs --home-market"},
           {{"quote", "campaigns.json"}, "--config is required"},
           {{"quote", "--config", "c.json", "--dsn", "x", "campaigns.json"}, "no --dsn"},
           {{"quote", "--config", "c.json", "/nonexistent/campaigns.json"}, "cannot read"}}) {
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 2) << mentions << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(mentions));
    EXPECT_EQ(run.out, "");
  }
}

TEST_F(CreditctlReportsTest, UnreachableDatabaseExitsThreeForEveryNewCommand) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ledger", "acme"},
           {"batches", "acme", "--status", "flagged"},
           {"events", "--pending"},
           {"tenant", "contacts", "acme", "a@example.com"},
           {"tenant", "pricing", "acme", "--auth-international", "no"}}) {
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 3) << args[0] << ": " << run.err;
    EXPECT_TRUE(run.err.starts_with("creditctl: cannot reach the database: ")) << run.err;
  }
}

class CreditctlQuoteTest : public CreditctlReportsTest {
 protected:
  void SetUp() override {
    db_.seedRates();
    db_.addTenant("acme", "EUR", 10'000'000);
    db_.addTenant("bistro", "EUR", 3 * kEurGermanyMarketing + 5);
  }

  static std::string campaign(const std::string& id, const std::string& tenant,
                              const std::vector<std::string>& recipients) {
    std::string list;
    for (const auto& r : recipients) list += (list.empty() ? "\"" : ", \"") + r + "\"";
    return R"({"id": ")" + id + R"(", "tenant": ")" + tenant +
           R"(", "template": "spring_offer", "category": "marketing", "recipients": [)" + list +
           "]}";
  }

  std::string campaignFile() {
    std::vector<std::string> mixed = kGermans;
    mixed.insert(mixed.end(), kIndians.begin(), kIndians.end());
    const std::vector<std::string> many_germans = {"+4915110000001", "+4915110000002",
                                                   "+4915110000003", "+4915110000004"};
    return writeTempFile("campaigns.json", "{\"campaigns\": [" + campaign("spring", "acme", mixed) +
                                               ", " + campaign("tables", "bistro", many_germans) +
                                               ", " + campaign("ghost", "nobody", kGermans) + "]}")
        .string();
  }

  // The gateway's config, relay on (the default): quote must switch it off.
  std::string pluginConfig(const std::string& dsn) {
    return writeTempFile("creditgate.json",
                         pluginConfigJson(dsn, R"({"on_insufficient_credit": "block"})"))
        .string();
  }

  struct Counts {
    std::int64_t ledger, batches, refusals, events, attempts, balance;
    bool operator==(const Counts&) const = default;
  };
  Counts counts() {
    return {db_.count("ledger_entry"), db_.count("batch"), db_.count("batch_refusal"),
            db_.count("outbox_event"), outboxAttempts(),   db_.balance("acme")};
  }
};

TEST_F(CreditctlQuoteTest, QuotePricesEachCampaignExactlyAndChangesNothing) {
  // A pending event: a relaying gate would claim it (attempts + 1) and fail it into backoff.
  decide(
      "'bistro', 'b-0', 'c', 't', 'marketing', ARRAY['+4915110000001'],"
      " ARRAY[900000000]::bigint[], 'EUR', 'block', 0, NULL");
  ASSERT_EQ(db_.count("outbox_event"), 1);
  const Counts before = counts();

  const CtlResult run = ctl(
      {"quote", "--config", pluginConfig(db_.pluginDsn()), campaignFile(), "--json"}, std::nullopt);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::array quotes = boost::json::parse(run.out).as_array();
  ASSERT_EQ(quotes.size(), 3u);

  const auto& spring = quotes[0].as_object();
  EXPECT_EQ(spring.at("campaign").as_string(), "spring");
  EXPECT_EQ(spring.at("batch_id").as_string(), "quote-spring");
  EXPECT_EQ(spring.at("decision").as_string(), "allow");
  EXPECT_EQ(spring.at("reason").as_string(), "ok");
  EXPECT_EQ(spring.at("currency").as_string(), "EUR");
  EXPECT_EQ(spring.at("total").as_string(), "0.458400");  // 2 x 0.1365 + 3 x 0.0618
  EXPECT_EQ(spring.at("total_micros").as_string(),
            std::to_string(2 * kEurGermanyMarketing + 3 * kEurMarketing));
  EXPECT_EQ(spring.at("available").as_string(), "10.000000");
  EXPECT_EQ(spring.at("recipients_total").as_int64(), 5);
  EXPECT_EQ(spring.at("recipients_affordable").as_int64(), 5);
  const boost::json::array& lines = spring.at("lines").as_array();
  ASSERT_EQ(lines.size(), 2u);
  std::map<std::string, boost::json::object> by_market;
  for (const auto& line : lines) {
    by_market[std::string(line.at("market").as_string())] = line.as_object();
  }
  EXPECT_EQ(by_market["Germany"].at("recipients").as_int64(), 2);
  EXPECT_EQ(by_market["Germany"].at("unit_price").as_string(), "0.136500");
  EXPECT_EQ(by_market["Germany"].at("amount").as_string(), "0.273000");
  EXPECT_EQ(by_market["Germany"].at("category").as_string(), "marketing");
  EXPECT_EQ(by_market["India"].at("recipients").as_int64(), 3);
  EXPECT_EQ(by_market["India"].at("unit_price").as_string(), "0.061800");
  EXPECT_EQ(by_market["India"].at("amount").as_string(), "0.185400");

  const auto& tables = quotes[1].as_object();
  EXPECT_EQ(tables.at("decision").as_string(), "block");
  EXPECT_EQ(tables.at("reason").as_string(), "insufficient_credit");
  EXPECT_EQ(tables.at("recipients_affordable").as_int64(), 3);
  EXPECT_EQ(tables.at("recipients_total").as_int64(), 4);
  EXPECT_EQ(tables.at("total").as_string(), "0.546000");

  const auto& ghost = quotes[2].as_object();
  EXPECT_EQ(ghost.at("decision").as_string(), "block");
  EXPECT_EQ(ghost.at("reason").as_string(), "unknown_tenant");
  EXPECT_TRUE(ghost.at("available").is_null());
  EXPECT_TRUE(ghost.at("total").is_null());  // not priced: no amount, not 0
  EXPECT_TRUE(ghost.at("total_micros").is_null());

  EXPECT_EQ(counts(), before);
}

// Every amount any --json report writes as a decimal ("12.340000") has its exact micro-units beside
// it as a string ("12340000"), and no *_micros member anywhere is a JSON number: a reader that
// turns numbers into doubles (JavaScript, jq) would round those above 2^53. Returns how many
// amounts the document holds.
int expectExactAmounts(const boost::json::value& value, const std::string& where) {
  int amounts = 0;
  if (value.is_array()) {
    for (const auto& item : value.as_array()) amounts += expectExactAmounts(item, where);
    return amounts;
  }
  if (!value.is_object()) return 0;
  const boost::json::object& object = value.as_object();
  for (const auto& member : object) {
    const std::string key(member.key());
    const boost::json::value& item = member.value();
    if (key.ends_with("_micros")) {
      EXPECT_TRUE(item.is_string() || item.is_null()) << where << ": " << key << " is " << item;
      continue;
    }
    if (item.is_string()) {
      const std::string text(item.as_string());
      const auto dot = text.find('.');
      const bool is_amount = dot != std::string::npos && text.size() - dot == 7 &&
                             text.find_first_not_of("-0123456789.") == std::string::npos;
      if (!is_amount) continue;
      ++amounts;
      const auto exact = object.find(key + "_micros");
      if (exact == object.end() || !exact->value().is_string()) {
        ADD_FAILURE() << where << ": " << key << " = " << text << " has no " << key
                      << "_micros string beside it";
        continue;
      }
      std::string digits = text.substr(0, dot) + text.substr(dot + 1);
      const bool negative = digits.starts_with('-');
      if (negative) digits.erase(0, 1);
      digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
      EXPECT_EQ(exact->value().as_string(), (negative ? "-" : "") + digits) << where << ": " << key;
      continue;
    }
    amounts += expectExactAmounts(item, where + "." + key);
  }
  return amounts;
}

TEST_F(CreditctlQuoteTest, EveryJsonReportWritesEachAmountsMicroUnitsAsAStringBesideIt) {
  // Something for every report: a top-up, a debit and its refund, a refusal (an event), a batch
  // sent into the overdraft and one sent in part.
  db_.topup("acme", 5'000'000, "inv-2");
  decide(
      "'acme', 'b-sent', 'c', 't', 'marketing', ARRAY['+4915110000001', '+4915110000002'],"
      " ARRAY[1234567, 1]::bigint[], 'EUR', 'block', 0, NULL");
  db_.exec(
      "SELECT creditgate.settle_outcomes('acme', 'b-sent', ARRAY['+4915110000002'], "
      "ARRAY[false])");
  decide(
      "'bistro', 'b-big', 'c', 't', 'marketing', ARRAY['+4915110000001'],"
      " ARRAY[900000000]::bigint[], 'EUR', 'block', 0, NULL");
  decide(
      "'bistro', 'b-over', 'c', 't', 'marketing', ARRAY['+4915110000001'],"
      " ARRAY[500000]::bigint[], 'EUR', 'flag', 1000000, NULL");
  decide(
      "'acme', 'b-part', 'c', 't', 'marketing', ARRAY['+4915110000001', '+4915110000002'],"
      " ARRAY[13000000, 13000000]::bigint[], 'EUR', 'partial', 0, NULL");

  const std::vector<std::vector<std::string>> reports = {
      {"balance", "acme", "--json"},
      {"balance", "bistro", "--json"},
      {"topup", "acme", "1.5", "--ref", "inv-3", "--json"},
      {"ledger", "acme", "--json"},
      {"batches", "bistro", "--status", "blocked", "--json"},
      {"batches", "bistro", "--status", "flagged", "--json"},
      {"batches", "acme", "--status", "partial", "--json"},
      {"events", "--json"},
      {"rates", "show", "--at", "2025-07-01", "--json"},
      {"limits", "--json"}};
  for (const auto& args : reports) {
    const CtlResult run = admin(args);
    ASSERT_EQ(run.exit_code, 0) << args[0] << ": " << run.err;
    const std::string where = args[0] + (args.size() > 1 ? " " + args[1] : "");
    EXPECT_GT(expectExactAmounts(boost::json::parse(run.out), where), 0) << where << run.out;
  }
  const CtlResult quote = ctl(
      {"quote", "--config", pluginConfig(db_.pluginDsn()), campaignFile(), "--json"}, std::nullopt);
  ASSERT_EQ(quote.exit_code, 0) << quote.err;
  EXPECT_GT(expectExactAmounts(boost::json::parse(quote.out), "quote"), 0) << quote.out;

  // The event's payload: the amounts the gateway hands its host as numbers are strings here.
  const CtlResult events = admin({"events", "--tenant", "bistro", "--json"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  const boost::json::object json = parsedObject(events.out);
  const boost::json::object& payload = json.at("events").as_array().at(0).at("payload").as_object();
  EXPECT_EQ(payload.at("price_micros").as_string(), "900000000");
  EXPECT_EQ(payload.at("price").as_string(), "900.000000");
}

TEST_F(CreditctlQuoteTest, QuoteTextShowsDecisionTotalsAndTheBreakdownPerMarket) {
  const Counts before = counts();
  const CtlResult run =
      ctl({"quote", "--config", pluginConfig(db_.pluginDsn()), campaignFile()}, db_.adminDsn());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("campaign spring (tenant acme, marketing, template spring_offer)"));
  EXPECT_THAT(run.out, HasSubstr("  decision    allow (ok)\n"));
  EXPECT_THAT(run.out, HasSubstr("  total       0.458400 EUR\n"));
  EXPECT_THAT(run.out, HasSubstr("  available   10.000000 EUR\n"));
  EXPECT_THAT(run.out, HasSubstr("  affordable  5 of 5 recipients\n"));
  EXPECT_THAT(run.out, HasSubstr("  Germany  marketing           2    0.136500  0.273000\n"));
  EXPECT_THAT(run.out, HasSubstr("  decision    block (insufficient_credit)\n"));
  EXPECT_THAT(run.out, HasSubstr("  affordable  3 of 4 recipients\n"));
  EXPECT_THAT(run.out, HasSubstr("  decision    block (unknown_tenant)\n"));
  EXPECT_EQ(counts(), before);
}

TEST_F(CreditctlQuoteTest, QuoteRefusesBadFilesWithExitTwoAndAnUnreachableDatabaseWithThree) {
  const std::string campaigns = campaignFile();
  const CtlResult bad_campaigns =
      ctl({"quote", "--config", pluginConfig(db_.pluginDsn()),
           writeTempFile("campaigns.json", "{\"campaigns\": [{\"id\": \"x\", \"tenant\": 7}]}")
               .string()},
          std::nullopt);
  EXPECT_EQ(bad_campaigns.exit_code, 2) << bad_campaigns.err;
  EXPECT_THAT(bad_campaigns.err, HasSubstr("line 1, column"));
  EXPECT_THAT(bad_campaigns.err, HasSubstr("campaigns[0].tenant: expected string"));

  const CtlResult bad_config =
      ctl({"quote", "--config", writeTempFile("creditgate.json", "{\"database\": {}}").string(),
           campaigns},
          std::nullopt);
  EXPECT_EQ(bad_config.exit_code, 2) << bad_config.err;
  EXPECT_THAT(bad_config.err, HasSubstr("plugin config"));

  const CtlResult unreachable =
      ctl({"quote", "--config", pluginConfig(kUnreachableDsn), campaigns}, std::nullopt);
  EXPECT_EQ(unreachable.exit_code, 3) << unreachable.err;
  EXPECT_THAT(unreachable.err, HasSubstr("cannot reach the database"));
}

}  // namespace
}  // namespace creditgate::testing

namespace creditgate::testing {
namespace {

// creditctl quote on the gateway's own config, while the gateway runs (issue 11, item 15): the
// admin tool never listens on the gateway's metrics port and never opens its journal.
TEST_F(CreditctlQuoteTest, QuoteRunsBesideARunningGatewayWithoutItsPortOrItsJournal) {
  const std::string journal = writeTempFile("gateway.journal", "").string();
  // The gateway: listening on a port of its own choosing, holding its journal.
  const std::string base =
      pluginConfigJson(db_.pluginDsn(), R"({"on_insufficient_credit": "block"})", 1000,
                       R"("failure": {"journal_path": ")" + journal + R"("})");
  std::string gateway_config = base;
  const std::string no_listener = R"("listen": "")";
  ASSERT_NE(gateway_config.find(no_listener), std::string::npos) << gateway_config;
  gateway_config.replace(gateway_config.find(no_listener), no_listener.size(),
                         R"("listen": "127.0.0.1:0")");
  FakeHost gateway_host;
  std::string error;
  const auto gateway =
      createGate(writeTempFile("gateway.json", gateway_config).string(), gateway_host, error);
  ASSERT_TRUE(gateway) << error;
  const int port = static_cast<CreditGatePlugin&>(*gateway).metricsPort();
  ASSERT_GT(port, 0);

  // The admin quotes with that very config: same port, same journal.
  std::string same = base;
  same.replace(same.find(no_listener), no_listener.size(),
               R"("listen": "127.0.0.1:)" + std::to_string(port) + "\"");
  const CtlResult run =
      ctl({"quote", "--config", writeTempFile("same.json", same).string(), campaignFile()},
          std::nullopt);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, Not(HasSubstr("listen")));
  EXPECT_THAT(run.err, Not(HasSubstr("journal")));
  EXPECT_THAT(run.out, HasSubstr("campaign spring (tenant acme"));
  EXPECT_EQ(static_cast<CreditGatePlugin&>(*gateway).metricsPort(), port);  // still the gateway's
}

}  // namespace
}  // namespace creditgate::testing
