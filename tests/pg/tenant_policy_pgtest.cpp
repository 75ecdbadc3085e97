// tenantPolicy(tenant): the policy the config sets for a tenant, resolved as decisions resolve it
// (checked against the ledger's own answers to quotes), for any valid id; a live edit is in force
// for the next call; balance()'s level is balanceLevelOf of it at, just above and just below each
// threshold.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "proxied_gate.hpp"

namespace creditgate::testing {
namespace {

using api::BalanceLevel;
using api::CreditPolicy;
using api::Reason;

// Default: block, utility partial, authentication flag with a 0.01 overdraft. cafe: flag with a
// 3.00 overdraft, marketing partial, authentication's overdraft 0.50 (its policy: cafe's flag).
constexpr const char* kPolicy = R"({
    "on_insufficient_credit": "block",
    "categories": {"utility": {"on_insufficient_credit": "partial"},
                   "authentication": {"on_insufficient_credit": "flag", "overdraft_limit": "0.01"}},
    "tenants": {"cafe": {"on_insufficient_credit": "flag", "overdraft_limit": "3.00",
                         "categories": {"marketing": {"on_insufficient_credit": "partial"},
                                        "authentication": {"overdraft_limit": "0.50"}}}}})";

// Warning below 5.00 and critical below 2.00; cafe's own warning below 8.00 (its critical is the
// default's).
std::string notifications(const std::string& cafe_warning = "8.00") {
  return R"("notifications": {"low_balance_warning": "5.00", "low_balance_critical": "2.00",
       "tenants": {"cafe": {"low_balance_warning": ")" +
         cafe_warning + R"("}}, "relay": {"enabled": false}})";
}

struct Expected {
  const char* category;
  CreditPolicy policy;
  std::int64_t overdraft_micros;
};

class TenantPolicyTest : public GateTest {
 protected:
  void rewriteConfig(const std::string& policy, const std::string& extra) {
    const auto aside = config_path_.string() + ".new";  // written aside, renamed into place
    std::ofstream(aside) << pluginConfigJson(db_.pluginDsn(), policy, 1000, extra);
    std::filesystem::rename(aside, config_path_);
  }

  api::Quote quoteOf(const std::string& tenant, const std::string& category, int recipients) {
    OwnedBatch b = batch(tenant, "q-1", indianNumbers(recipients), category);
    return gate_->quote(b.view());
  }

  // The ledger's answer for a batch of `category` that `balance` covers only in part is what the
  // category's policy says. False when the category costs nothing here (nothing to cover).
  bool expectTheLedgerApplies(const std::string& tenant, std::int64_t balance,
                              const api::CategoryPolicy& policy) {
    const api::Quote one = quoteOf(tenant, policy.category, 1);
    if (one.reason != Reason::ok || one.total_micros == 0) return false;
    const std::int64_t price = one.total_micros;
    EXPECT_LE(price, balance);
    const int recipients = static_cast<int>(balance / price) + 1;  // the first fit, not all
    const std::int64_t shortfall = recipients * price - balance;
    const api::Quote quote = quoteOf(tenant, policy.category, recipients);
    const std::string where = tenant + " " + policy.category;
    EXPECT_TRUE(quote.balance_known) << where;
    const bool flag = policy.on_insufficient_credit == CreditPolicy::flag;
    EXPECT_EQ(quote.available_micros, balance + (flag ? policy.overdraft_limit_micros : 0))
        << where;
    switch (policy.on_insufficient_credit) {
      case CreditPolicy::block:
        EXPECT_EQ(quote.decision, api::Decision::block) << where;
        EXPECT_EQ(quote.reason, Reason::insufficient_credit) << where;
        break;
      case CreditPolicy::partial:
        EXPECT_EQ(quote.decision, api::Decision::allow_partial) << where;
        EXPECT_EQ(quote.reason, Reason::partial_credit) << where;
        EXPECT_EQ(static_cast<std::int64_t>(quote.recipients_affordable), balance / price) << where;
        break;
      case CreditPolicy::flag:
        if (shortfall <= policy.overdraft_limit_micros) {
          EXPECT_EQ(quote.decision, api::Decision::allow_flagged) << where;
          EXPECT_EQ(quote.reason, Reason::overdraft) << where;
        } else {
          EXPECT_EQ(quote.decision, api::Decision::block) << where;
          EXPECT_EQ(quote.reason, Reason::overdraft_limit_exceeded) << where;
        }
        break;
    }
    return true;
  }

  // balance()'s level is balanceLevelOf(its balance, tenantPolicy()); returns that level.
  BalanceLevel agreedLevel(const std::string& tenant) {
    const api::AccountBalance account = gate_->balance(tenant);
    EXPECT_TRUE(account.found) << tenant << ": " << account.detail;
    const api::TenantPolicy policy = gate_->tenantPolicy(tenant);
    EXPECT_TRUE(policy.found) << tenant << ": " << policy.detail;
    EXPECT_EQ(account.level, api::balanceLevelOf(account.balance_micros, policy))
        << tenant << " at " << account.balance_micros;
    return account.level;
  }
};

void expectCategories(const api::TenantPolicy& policy, const std::vector<Expected>& expected) {
  ASSERT_EQ(policy.category_count, expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const api::CategoryPolicy& got = policy.categories[i];
    EXPECT_STREQ(got.category, expected[i].category);
    EXPECT_STREQ(api::creditPolicyName(got.on_insufficient_credit),
                 api::creditPolicyName(expected[i].policy))
        << got.category;
    EXPECT_EQ(got.overdraft_limit_micros, expected[i].overdraft_micros) << got.category;
  }
}

TEST_F(TenantPolicyTest, ATenantsOverrideAndTheDefaultPerCategoryAsTheLedgerAppliesThem) {
  constexpr std::int64_t kBalance = 100'000;  // 0.10 EUR: one Indian recipient of each, not all
  db_.addTenant("cafe", "EUR", kBalance);
  db_.addTenant("acme", "EUR", kBalance);
  startGate(kPolicy, 1000, notifications());

  const api::TenantPolicy cafe = gate_->tenantPolicy("cafe");
  ASSERT_TRUE(cafe.found) << cafe.detail;
  EXPECT_EQ(cafe.reason, Reason::ok);
  EXPECT_STREQ(cafe.detail, "");
  EXPECT_EQ(cafe.config_generation, 1u);
  expectCategories(cafe, {{"marketing", CreditPolicy::partial, 3'000'000},
                          {"utility", CreditPolicy::flag, 3'000'000},  // tenant over default+cat
                          {"authentication", CreditPolicy::flag, 500'000},
                          {"authentication_international", CreditPolicy::flag, 3'000'000},
                          {"service", CreditPolicy::flag, 3'000'000}});
  EXPECT_TRUE(cafe.warning_threshold_set);
  EXPECT_EQ(cafe.warning_threshold_micros, 8'000'000);
  EXPECT_TRUE(cafe.critical_threshold_set);
  EXPECT_EQ(cafe.critical_threshold_micros, 2'000'000);
  EXPECT_STREQ(cafe.ledger_unavailable_policy, "block");
  EXPECT_EQ(cafe.ledger_unavailable_cap_micros, 0);

  const api::TenantPolicy acme = gate_->tenantPolicy("acme");
  ASSERT_TRUE(acme.found) << acme.detail;
  expectCategories(acme, {{"marketing", CreditPolicy::block, 0},
                          {"utility", CreditPolicy::partial, 0},
                          {"authentication", CreditPolicy::flag, 10'000},
                          {"authentication_international", CreditPolicy::block, 0},
                          {"service", CreditPolicy::block, 0}});
  EXPECT_EQ(acme.warning_threshold_micros, 5'000'000);
  EXPECT_EQ(acme.critical_threshold_micros, 2'000'000);

  // What it shows is what decisions do: the ledger's quote for a batch the balance covers in part.
  std::set<std::string> checked;
  for (const api::TenantPolicy* policy : {&cafe, &acme}) {
    const std::string tenant = policy == &cafe ? "cafe" : "acme";
    for (std::uint32_t i = 0; i < policy->category_count; ++i) {
      if (expectTheLedgerApplies(tenant, kBalance, policy->categories[i])) {
        checked.insert(tenant + " " + policy->categories[i].category);
      }
    }
  }
  for (const char* must : {"cafe marketing", "cafe utility", "cafe authentication",
                           "acme marketing", "acme utility", "acme authentication"}) {
    EXPECT_TRUE(checked.count(must)) << must << " was not checked against the ledger";
  }
}

// The config's policy applies to any valid id, whether or not the ledger knows the tenant (no
// ledger round trip); only an id that breaks the rule is not found, named in the detail.
TEST_F(TenantPolicyTest, AnInvalidTenantIdIsNotFoundNamingItAndAnyValidIdHasThePolicy) {
  startGate(kPolicy, 1000, notifications());
  const api::TenantPolicy spaced = gate_->tenantPolicy("acme corp");
  EXPECT_FALSE(spaced.found);
  EXPECT_EQ(spaced.reason, Reason::invalid_tenant_id);
  EXPECT_STREQ(spaced.detail, "tenant_id: 'acme corp' has a space or non-printable character");
  EXPECT_EQ(spaced.category_count, 0u);
  EXPECT_EQ(spaced.config_generation, 1u);

  const api::TenantPolicy empty = gate_->tenantPolicy("");
  EXPECT_FALSE(empty.found);
  EXPECT_EQ(empty.reason, Reason::invalid_tenant_id);
  EXPECT_STREQ(empty.detail, "tenant_id is empty");

  const api::TenantPolicy control = gate_->tenantPolicy("a\nb");
  EXPECT_EQ(control.reason, Reason::invalid_tenant_id);
  EXPECT_STREQ(control.detail, "tenant_id: 'a\\x0ab' has a space or non-printable character");

  const api::TenantPolicy longer = gate_->tenantPolicy(std::string(65, 't'));
  EXPECT_FALSE(longer.found);
  EXPECT_NE(std::string(longer.detail).find("is longer than 64 bytes"), std::string::npos)
      << longer.detail;

  ASSERT_FALSE(gate_->balance("nobody").found);  // not in the ledger: the default policy applies
  const api::TenantPolicy nobody = gate_->tenantPolicy("nobody");
  EXPECT_TRUE(nobody.found) << nobody.detail;
  EXPECT_EQ(nobody.reason, Reason::ok);
  EXPECT_EQ(nobody.categories[0].on_insufficient_credit, CreditPolicy::block);
  EXPECT_EQ(nobody.warning_threshold_micros, 5'000'000);
}

// An edit is in force for the next call: picked up by the gateway's file watcher, or at once by
// the host's reload().
TEST_F(TenantPolicyTest, AnEditedConfigIsInForceForTheNextCall) {
  db_.addTenant("cafe", "EUR", 7'000'000);  // below cafe's own warning (8.00), above the default
  // A journal, so that a reload may switch on_ledger_unavailable to allow_flagged.
  const std::string journal = writeTempFile("policy.journal", "").string();
  const std::string failure = R"("failure": {"journal_path": ")" + journal + R"("})";
  startGate(kPolicy, 1000, notifications() + ",\n  " + failure);
  ASSERT_EQ(gate_->tenantPolicy("cafe").config_generation, 1u);
  ASSERT_EQ(agreedLevel("cafe"), BalanceLevel::warning);

  // cafe's override gone, allow_flagged during outages: the watcher applies it within a second.

  rewriteConfig(R"({"on_insufficient_credit": "partial", "on_ledger_unavailable": "allow_flagged",
                    "ledger_unavailable_cap": "25.00"})",
                notifications("3.00") + ",\n  " + failure);
  api::TenantPolicy watched;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    watched = gate_->tenantPolicy("cafe");
  } while (watched.config_generation < 2 && std::chrono::steady_clock::now() < until);
  ASSERT_GE(watched.config_generation, 2u) << "the watcher did not reload the edit";
  expectCategories(watched, {{"marketing", CreditPolicy::partial, 0},
                             {"utility", CreditPolicy::partial, 0},
                             {"authentication", CreditPolicy::partial, 0},
                             {"authentication_international", CreditPolicy::partial, 0},
                             {"service", CreditPolicy::partial, 0}});
  EXPECT_EQ(watched.warning_threshold_micros, 3'000'000);  // cafe's own, lowered
  EXPECT_EQ(watched.critical_threshold_micros, 2'000'000);
  EXPECT_STREQ(watched.ledger_unavailable_policy, "allow_flagged");
  EXPECT_EQ(watched.ledger_unavailable_cap_micros, 25'000'000);
  EXPECT_EQ(agreedLevel("cafe"), BalanceLevel::ok);  // 7.00 is above the new 3.00
  EXPECT_EQ(gate_->tenantPolicy("acme").warning_threshold_micros, 5'000'000);

  // The host's reload(): in force for the very next call, with the generation it answered.
  rewriteConfig(kPolicy, notifications("9.50") + ",\n  " + failure);
  const api::ReloadResult reloaded = gate_->reload();
  ASSERT_TRUE(reloaded.ok) << reloaded.detail;
  const api::TenantPolicy after = gate_->tenantPolicy("cafe");
  EXPECT_GE(after.config_generation, reloaded.generation);  // the watcher may reload it again
  EXPECT_EQ(after.categories[0].on_insufficient_credit, CreditPolicy::partial);
  EXPECT_EQ(after.categories[0].overdraft_limit_micros, 3'000'000);
  EXPECT_EQ(after.warning_threshold_micros, 9'500'000);
  EXPECT_STREQ(after.ledger_unavailable_policy, "block");
  EXPECT_EQ(after.ledger_unavailable_cap_micros, 0);
  EXPECT_EQ(agreedLevel("cafe"), BalanceLevel::warning);
}

// balance()'s level and balanceLevelOf(balance, tenantPolicy()) agree at each threshold, one
// micro-unit above and one below, for a tenant with its own warning and one on the defaults.
TEST_F(TenantPolicyTest, BalanceLevelOfAgreesWithBalanceAroundEachThreshold) {
  struct Case {
    std::string tenant;
    std::int64_t balance;
    BalanceLevel level;
  };
  std::vector<Case> cases;
  // notifications.tenants lists the tenants with their own warning (8.00): "own-*".
  std::string own_tenants;
  auto around = [&](const std::string& group, const char* name, std::int64_t threshold,
                    BalanceLevel below, BalanceLevel at_and_above) {
    const std::string prefix = group + "-" + name;
    cases.push_back({prefix + "-below", threshold - 1, below});
    cases.push_back({prefix + "-at", threshold, at_and_above});
    cases.push_back({prefix + "-above", threshold + 1, at_and_above});
  };
  for (const std::string group : {"own", "default"}) {
    const bool own = group == "own";
    around(group, "warning", own ? 8'000'000 : 5'000'000, BalanceLevel::warning, BalanceLevel::ok);
    around(group, "critical", 2'000'000, BalanceLevel::critical, BalanceLevel::warning);
    around(group, "depleted", 1, BalanceLevel::depleted, BalanceLevel::critical);
  }
  for (const Case& c : cases) {
    db_.addTenant(c.tenant, "EUR", c.balance);
    if (c.tenant.rfind("own-", 0) == 0) {
      own_tenants += std::string(own_tenants.empty() ? "" : ", ") + "\"" + c.tenant +
                     R"(": {"low_balance_warning": "8.00"})";
    }
  }
  startGate(kBlockPolicy, 1000,
            R"("notifications": {"low_balance_warning": "5.00", "low_balance_critical": "2.00",
                "tenants": {)" +
                own_tenants + R"(}, "relay": {"enabled": false}})");
  for (const Case& c : cases) {
    ASSERT_EQ(gate_->balance(c.tenant).balance_micros, c.balance) << c.tenant;
    const BalanceLevel level = agreedLevel(c.tenant);
    EXPECT_EQ(level, c.level) << c.tenant << ": " << api::balanceLevelName(level);
  }
}

class TenantPolicyOutageTest : public ProxiedGateTest {};

// From the config alone: a portal can show the policy while the ledger is down.
TEST_F(TenantPolicyOutageTest, AnswersWhileTheLedgerIsDown) {
  db_.addTenant("acme", "EUR", 5'000'000);
  startBehindProxy("");
  proxy_->setMode(TcpProxy::Mode::refuse);
  ASSERT_FALSE(gate_->balance("acme").found);
  const api::TenantPolicy policy = gate_->tenantPolicy("acme");
  EXPECT_TRUE(policy.found) << policy.detail;
  EXPECT_EQ(policy.reason, Reason::ok);
  EXPECT_EQ(policy.category_count, 5u);
  proxy_->setMode(TcpProxy::Mode::forward);
}

}  // namespace
}  // namespace creditgate::testing
