// balance(tenant): the account as the ledger holds it now (balance, debt, spent today, currency)
// and its low-balance level under the live config; refusals for bad or unknown ids and an absent
// ledger.
#include <filesystem>
#include <fstream>

#include "proxied_gate.hpp"

namespace creditgate::testing {
namespace {

using api::BalanceLevel;
using api::Reason;

constexpr std::int64_t kPrice = kEurGermanyMarketing;

// Warning below 50 messages' worth, critical below 20 (as the notification tests use them), and
// for tenant "cafe" its own warning below 80: its critical stays the default's.
std::string thresholds(const std::string& cafe_warning = formatMicros(80 * kPrice)) {
  return R"("notifications": {"low_balance_warning": ")" + formatMicros(50 * kPrice) +
         R"(", "low_balance_critical": ")" + formatMicros(20 * kPrice) +
         R"(", "tenants": {"cafe": {"low_balance_warning": ")" + cafe_warning +
         R"("}}, "relay": {"enabled": false}})";
}

class AccountBalanceTest : public GateTest {
 protected:
  api::Settlement report(const std::string& tenant, const std::string& batch_id,
                         const std::vector<std::pair<std::string, api::Delivery>>& outcomes) {
    std::vector<api::RecipientOutcome> views;
    for (const auto& [recipient, delivery] : outcomes) views.push_back({recipient, delivery});
    return gate_->report(api::OutcomeReport{tenant, batch_id, views});
  }
  BalanceLevel levelOf(const std::string& tenant) {
    const api::AccountBalance account = gate_->balance(tenant);
    EXPECT_TRUE(account.found) << tenant << ": " << account.detail;
    return account.level;
  }
};

TEST_F(AccountBalanceTest, AfterATopUpAndADecisionShowsTheBalanceAndTheDebitAsSpentToday) {
  db_.addTenant("acme", "EUR", 0);
  db_.topup("acme", 10'000'000, "inv-1");
  startGate(kBlockPolicy);
  ASSERT_EQ(decide(batch("acme", "b-1", germanNumbers(3))).decision, api::Decision::allow);

  const api::AccountBalance account = gate_->balance("acme");
  EXPECT_TRUE(account.found);
  EXPECT_EQ(account.reason, Reason::ok);
  EXPECT_EQ(account.balance_micros, 10'000'000 - 3 * kPrice);
  EXPECT_EQ(account.balance_micros, db_.balance("acme"));
  EXPECT_EQ(account.debt_micros, 0);
  EXPECT_EQ(account.spent_today_micros, 3 * kPrice);  // the top-up is not spending
  EXPECT_EQ(account.level, BalanceLevel::ok);         // no thresholds configured
  EXPECT_STREQ(account.currency, "EUR");
  EXPECT_STREQ(account.detail, "");
}

TEST_F(AccountBalanceTest, RefundedRecipientsAreNotSpent) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  const auto recipients = germanNumbers(3);
  ASSERT_EQ(decide(batch("acme", "b-1", recipients)).decision, api::Decision::allow);
  ASSERT_TRUE(report("acme", "b-1",
                     {{recipients[0], api::Delivery::failed},
                      {recipients[1], api::Delivery::failed},
                      {recipients[2], api::Delivery::delivered}})
                  .ok);

  const api::AccountBalance account = gate_->balance("acme");
  EXPECT_TRUE(account.found);
  EXPECT_EQ(account.spent_today_micros, kPrice);
  EXPECT_EQ(account.balance_micros, 10'000'000 - kPrice);
}

// A debit voided because its decision stayed in doubt (sql/014) was never sent: not spent.
TEST_F(AccountBalanceTest, AVoidedDebitIsNotSpent) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  ASSERT_EQ(decide(batch("acme", "kept", germanNumbers(1))).decision, api::Decision::allow);
  // As the plugin does when a decision's answer was lost (attempt 7) and no retry came. Literals.
  db_.exec(
      "SELECT creditgate.decide_batch('acme', 'lost', 'c', 't', 'marketing',"
      " ARRAY['+4915110000009', '+4915110000008'], ARRAY[1000000, 1000000]::bigint[], 'EUR',"
      " 'block', 0, NULL, NULL, NULL, 0, 7)");
  db_.exec("SELECT creditgate.note_doubt('acme', 'lost', 7)");
  ASSERT_EQ(gate_->balance("acme").spent_today_micros, kPrice + 2'000'000);
  db_.exec("SELECT count(*) FROM creditgate.void_doubtful_batches(0, 10)");
  ASSERT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'void'"), 1);

  const api::AccountBalance account = gate_->balance("acme");
  EXPECT_EQ(account.spent_today_micros, kPrice);
  EXPECT_EQ(account.balance_micros, 10'000'000 - kPrice);
}

// "Today" starts at 00:00 UTC by the ledger's clock; each entry counts on the day it was written,
// so a refund today of yesterday's debit makes today's figure negative. The entries are written
// directly (as the test cluster's superuser) with the times the test needs; the balance is not
// what this reads.
TEST_F(AccountBalanceTest, TodayStartsAtMidnightUtcAndEachEntryCountsOnItsOwnDay) {
  db_.addTenant("acme", "EUR", 10'000'000);
  startGate(kBlockPolicy);
  const std::string midnight = "(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')";
  const std::string debit =
      "INSERT INTO creditgate.ledger_entry (tenant_id, kind, amount_micros, balance_after_micros,"
      " floor_micros, batch_id, created_at) VALUES ";
  db_.exec(debit + "('acme', 'debit', -4000000, 6000000, 0, 'yesterday', " + midnight +
           " - interval '1 microsecond')");
  db_.exec(debit + "('acme', 'debit', -300, 5999700, 0, 'at-midnight', " + midnight + ")");
  db_.exec(
      "INSERT INTO creditgate.ledger_entry (tenant_id, kind, amount_micros, balance_after_micros,"
      " batch_id, recipient) VALUES ('acme', 'refund', 1000000, 6999700, 'yesterday', '+491')");
  EXPECT_EQ(gate_->balance("acme").spent_today_micros, 300 - 1'000'000);
}

TEST_F(AccountBalanceTest, InOverdraftShowsTheDebtAndDepleted) {
  db_.addTenant("acme", "EUR", 0);
  startGate(R"({"on_insufficient_credit": "flag", "overdraft_limit": "1.00"})");
  ASSERT_EQ(decide(batch("acme", "b-1", germanNumbers(2))).decision, api::Decision::allow_flagged);

  const api::AccountBalance account = gate_->balance("acme");
  EXPECT_TRUE(account.found);
  EXPECT_EQ(account.reason, Reason::ok);
  EXPECT_EQ(account.balance_micros, -2 * kPrice);
  EXPECT_EQ(account.debt_micros, 2 * kPrice);
  EXPECT_EQ(account.spent_today_micros, 2 * kPrice);
  EXPECT_EQ(account.level, BalanceLevel::depleted);
}

// The same comparison as the ledger's low-balance events: a level applies strictly below its
// threshold, depleted at zero and below.
TEST_F(AccountBalanceTest, LevelFollowsTheDefaultThresholds) {
  db_.addTenant("plenty", "EUR", 100 * kPrice);
  db_.addTenant("at-warning", "EUR", 50 * kPrice);
  db_.addTenant("warned", "EUR", 50 * kPrice - 1);
  db_.addTenant("at-critical", "EUR", 20 * kPrice);
  db_.addTenant("critical", "EUR", 20 * kPrice - 1);
  db_.addTenant("one-micro", "EUR", 1);
  db_.addTenant("empty", "EUR", 0);
  startGate(kBlockPolicy, 1000, thresholds());
  EXPECT_EQ(levelOf("plenty"), BalanceLevel::ok);
  EXPECT_EQ(levelOf("at-warning"), BalanceLevel::ok);
  EXPECT_EQ(levelOf("warned"), BalanceLevel::warning);
  EXPECT_EQ(levelOf("at-critical"), BalanceLevel::warning);
  EXPECT_EQ(levelOf("critical"), BalanceLevel::critical);
  EXPECT_EQ(levelOf("one-micro"), BalanceLevel::critical);
  EXPECT_EQ(levelOf("empty"), BalanceLevel::depleted);
}

TEST_F(AccountBalanceTest, LevelFollowsATenantsOwnThresholdsAndALiveReload) {
  db_.addTenant("cafe", "EUR", 60 * kPrice);  // above the default warning, below its own
  db_.addTenant("acme", "EUR", 60 * kPrice);
  startGate(kBlockPolicy, 1000, thresholds());
  EXPECT_EQ(levelOf("cafe"), BalanceLevel::warning);
  EXPECT_EQ(levelOf("acme"), BalanceLevel::ok);

  // Debited to 19 messages' worth: below the default critical, which cafe inherits.
  ASSERT_EQ(decide(batch("cafe", "b-1", germanNumbers(41))).decision, api::Decision::allow);
  EXPECT_EQ(levelOf("cafe"), BalanceLevel::critical);

  // Its own warning lowered below its balance by a reload: in force for the next balance() call.
  db_.topup("cafe", 21 * kPrice, "inv-2");  // 40 messages' worth
  EXPECT_EQ(levelOf("cafe"), BalanceLevel::warning);
  const auto aside = config_path_.string() + ".new";  // written aside, renamed into place
  std::ofstream(aside) << pluginConfigJson(db_.pluginDsn(), kBlockPolicy, 1000,
                                           thresholds(formatMicros(30 * kPrice)));
  std::filesystem::rename(aside, config_path_);
  const api::ReloadResult reloaded = gate_->reload();
  ASSERT_TRUE(reloaded.ok) << reloaded.detail;
  EXPECT_EQ(levelOf("cafe"), BalanceLevel::ok);
}

TEST_F(AccountBalanceTest, UnknownTenantIsNotFound) {
  startGate(kBlockPolicy);
  const api::AccountBalance account = gate_->balance("nobody");
  EXPECT_FALSE(account.found);
  EXPECT_EQ(account.reason, Reason::unknown_tenant);
  EXPECT_STREQ(account.detail, "tenant_id: 'nobody' is not a known tenant");
  EXPECT_EQ(account.balance_micros, 0);
  EXPECT_STREQ(account.currency, "");
}

TEST_F(AccountBalanceTest, InvalidTenantIdIsRefusedNamingTheValue) {
  startGate(kBlockPolicy);
  const api::AccountBalance spaced = gate_->balance("acme corp");
  EXPECT_FALSE(spaced.found);
  EXPECT_EQ(spaced.reason, Reason::invalid_tenant_id);
  EXPECT_STREQ(spaced.detail, "tenant_id: 'acme corp' has a space or non-printable character");

  const api::AccountBalance empty = gate_->balance("");
  EXPECT_EQ(empty.reason, Reason::invalid_tenant_id);
  EXPECT_STREQ(empty.detail, "tenant_id is empty");

  const api::AccountBalance control = gate_->balance("a\nb");
  EXPECT_EQ(control.reason, Reason::invalid_tenant_id);
  EXPECT_STREQ(control.detail, "tenant_id: 'a\\x0ab' has a space or non-printable character");

  const api::AccountBalance longer = gate_->balance(std::string(65, 't'));
  EXPECT_EQ(longer.reason, Reason::invalid_tenant_id);
  EXPECT_NE(std::string(longer.detail).find("is longer than 64 bytes"), std::string::npos)
      << longer.detail;
}

// A gate for quoting only (creditctl quote) answers balance() and readiness() as a gateway's does.
TEST_F(AccountBalanceTest, AQuoteOnlyGateAnswersToo) {
  db_.addTenant("acme", "EUR", 5'000'000);
  const auto path =
      writeTempFile("quote-only.json", pluginConfigJson(db_.pluginDsn(), kBlockPolicy));
  const std::string path_text = path.string();
  api::PluginContext context;
  context.config_path = path_text;
  context.services = &host_;
  std::string error;
  const auto gate = CreditGatePlugin::create(context, error, GateRole::quote_only);
  ASSERT_TRUE(gate) << error;
  const api::AccountBalance account = gate->balance("acme");
  EXPECT_TRUE(account.found) << account.detail;
  EXPECT_EQ(account.balance_micros, 5'000'000);
  const api::Readiness ready = gate->readiness();
  EXPECT_TRUE(ready.ready) << ready.detail;
  EXPECT_EQ(ready.config_generation, 1u);
}

class AccountBalanceOutageTest : public ProxiedGateTest {};

TEST_F(AccountBalanceOutageTest, LedgerDownIsLedgerUnavailableNotFoundAndRecovers) {
  db_.addTenant("acme", "EUR", 5'000'000);
  startBehindProxy("");
  ASSERT_TRUE(gate_->balance("acme").found);

  proxy_->setMode(TcpProxy::Mode::refuse);
  for (int i = 0; i < 5; ++i) {  // past the circuit's threshold: refused fast, same answer
    const api::AccountBalance account = gate_->balance("acme");
    EXPECT_FALSE(account.found);
    EXPECT_EQ(account.reason, Reason::ledger_unavailable) << api::reasonCode(account.reason);
    EXPECT_NE(std::string(account.detail).find("the ledger is unavailable"), std::string::npos)
        << account.detail;
    EXPECT_EQ(std::string(account.detail).find("password"), std::string::npos) << account.detail;
    EXPECT_EQ(account.balance_micros, 0);
  }

  proxy_->setMode(TcpProxy::Mode::forward);
  api::AccountBalance after;
  for (int i = 0; i < 50 && !after.found; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = gate_->balance("acme");
  }
  EXPECT_TRUE(after.found) << after.detail;
  EXPECT_EQ(after.balance_micros, 5'000'000);
}

}  // namespace
}  // namespace creditgate::testing
