// tenantPolicyFor: the host API's TenantPolicy resolved from a parsed config as decisions resolve
// it (policyFor, alertsFor), without a database.
#include "tenant_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "category.hpp"

namespace creditgate {
namespace {

LiveSettings live(std::string_view json) {
  auto result = parseConfig(json);
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    ADD_FAILURE() << error->toString() << "\n" << json;
    return {};
  }
  return std::get<Config>(std::move(result)).live;
}

constexpr std::string_view kConfig = R"({
  "database": {"dsn": "host=127.0.0.1"},
  "failure": {"journal_path": "/tmp/never-opened.journal"},
  "policy": {
    "on_insufficient_credit": "partial",
    "categories": {"authentication": {"on_insufficient_credit": "flag", "overdraft_limit": "2"}},
    "on_ledger_unavailable": "allow_flagged",
    "ledger_unavailable_cap": "50",
    "tenants": {
      "cafe": {"on_insufficient_credit": "flag", "overdraft_limit": "3",
               "categories": {"marketing": {"on_insufficient_credit": "block"},
                              "authentication": {"overdraft_limit": "0.5"}}}
    }
  },
  "notifications": {"low_balance_warning": "10", "low_balance_critical": "2",
                    "tenants": {"cafe": {"low_balance_warning": "1.5"}}}
})";

const api::CategoryPolicy& category(const api::TenantPolicy& policy, std::string_view name) {
  for (std::uint32_t i = 0; i < policy.category_count; ++i) {
    if (policy.categories[i].category == name) return policy.categories[i];
  }
  static const api::CategoryPolicy none;
  ADD_FAILURE() << "no category " << name;
  return none;
}

TEST(TenantPolicyFor, ListsEveryCategoryThePluginPricesInItsOrder) {
  const api::TenantPolicy policy = tenantPolicyFor(live(kConfig), "acme", 7);
  ASSERT_TRUE(policy.found);
  EXPECT_EQ(policy.reason, api::Reason::ok);
  EXPECT_STREQ(policy.detail, "");
  EXPECT_EQ(policy.config_generation, 7u);
  ASSERT_EQ(policy.category_count, kCategoryCount);
  for (std::size_t i = 0; i < kCategoryCount; ++i) {
    EXPECT_EQ(std::string_view(policy.categories[i].category), categoryName(kAllCategories[i]));
  }
  for (std::size_t i = kCategoryCount; i < api::kMaxCategories; ++i) {
    EXPECT_STREQ(policy.categories[i].category, "");
  }
}

// Per field and category, the most specific setting wins, as for a decision.
TEST(TenantPolicyFor, EachCategoryIsResolvedAsADecisionResolvesIt) {
  const LiveSettings settings = live(kConfig);
  for (const char* tenant : {"cafe", "acme"}) {
    const api::TenantPolicy policy = tenantPolicyFor(settings, tenant, 1);
    ASSERT_EQ(policy.category_count, kCategoryCount);
    for (std::size_t i = 0; i < kCategoryCount; ++i) {
      const EffectivePolicy expected = settings.policyFor(tenant, kAllCategories[i]);
      EXPECT_EQ(api::creditPolicyName(policy.categories[i].on_insufficient_credit),
                policyName(expected.on_insufficient_credit))
          << tenant << " " << policy.categories[i].category;
      EXPECT_EQ(policy.categories[i].overdraft_limit_micros, expected.overdraft_limit_micros)
          << tenant << " " << policy.categories[i].category;
    }
  }
  const api::TenantPolicy cafe = tenantPolicyFor(settings, "cafe", 1);
  EXPECT_EQ(category(cafe, "marketing").on_insufficient_credit, api::CreditPolicy::block);
  EXPECT_EQ(category(cafe, "marketing").overdraft_limit_micros, 3'000'000);  // tenant's
  EXPECT_EQ(category(cafe, "utility").on_insufficient_credit, api::CreditPolicy::flag);
  EXPECT_EQ(category(cafe, "utility").overdraft_limit_micros, 3'000'000);
  EXPECT_EQ(category(cafe, "authentication").on_insufficient_credit, api::CreditPolicy::flag);
  EXPECT_EQ(category(cafe, "authentication").overdraft_limit_micros, 500'000);
  const api::TenantPolicy acme = tenantPolicyFor(settings, "acme", 1);
  EXPECT_EQ(category(acme, "marketing").on_insufficient_credit, api::CreditPolicy::partial);
  EXPECT_EQ(category(acme, "marketing").overdraft_limit_micros, 0);
  EXPECT_EQ(category(acme, "authentication").on_insufficient_credit, api::CreditPolicy::flag);
  EXPECT_EQ(category(acme, "authentication").overdraft_limit_micros, 2'000'000);
}

// Each threshold field of notifications.tenants.<id> overrides the default on its own.
TEST(TenantPolicyFor, ThresholdsAreTheTenantsOwnOverTheDefaultPerField) {
  const LiveSettings settings = live(kConfig);
  const api::TenantPolicy cafe = tenantPolicyFor(settings, "cafe", 1);
  EXPECT_TRUE(cafe.warning_threshold_set);
  EXPECT_EQ(cafe.warning_threshold_micros, 1'500'000);
  EXPECT_TRUE(cafe.critical_threshold_set);
  EXPECT_EQ(cafe.critical_threshold_micros, 2'000'000);
  const api::TenantPolicy acme = tenantPolicyFor(settings, "acme", 1);
  EXPECT_EQ(acme.warning_threshold_micros, 10'000'000);
  EXPECT_EQ(acme.critical_threshold_micros, 2'000'000);

  const api::TenantPolicy bare = tenantPolicyFor(live(R"({"database": {"dsn": "x"}})"), "acme", 1);
  EXPECT_FALSE(bare.warning_threshold_set);
  EXPECT_FALSE(bare.critical_threshold_set);
  EXPECT_EQ(bare.warning_threshold_micros, 0);
}

TEST(TenantPolicyFor, TheLedgerUnavailablePolicyAndCapApplyToEveryTenant) {
  const LiveSettings settings = live(kConfig);
  for (const char* tenant : {"cafe", "acme"}) {
    const api::TenantPolicy policy = tenantPolicyFor(settings, tenant, 1);
    EXPECT_STREQ(policy.ledger_unavailable_policy, "allow_flagged") << tenant;
    EXPECT_EQ(policy.ledger_unavailable_cap_micros, 50'000'000) << tenant;
  }
  const api::TenantPolicy bare = tenantPolicyFor(live(R"({"database": {"dsn": "x"}})"), "acme", 1);
  EXPECT_STREQ(bare.ledger_unavailable_policy, "block");
  EXPECT_EQ(bare.ledger_unavailable_cap_micros, 0);
  for (std::uint32_t i = 0; i < bare.category_count; ++i) {  // built in: block, no overdraft
    EXPECT_EQ(bare.categories[i].on_insufficient_credit, api::CreditPolicy::block);
    EXPECT_EQ(bare.categories[i].overdraft_limit_micros, 0);
  }
}

TEST(TenantPolicyFor, AnInvalidTenantIdIsNotFoundNamingIt) {
  const LiveSettings settings = live(kConfig);
  const api::TenantPolicy spaced = tenantPolicyFor(settings, "acme corp", 3);
  EXPECT_FALSE(spaced.found);
  EXPECT_EQ(spaced.reason, api::Reason::invalid_tenant_id);
  EXPECT_STREQ(spaced.detail, "tenant_id: 'acme corp' has a space or non-printable character");
  EXPECT_EQ(spaced.category_count, 0u);
  EXPECT_FALSE(spaced.warning_threshold_set);
  EXPECT_STREQ(spaced.ledger_unavailable_policy, "");
  EXPECT_EQ(spaced.config_generation, 3u);
  EXPECT_STREQ(tenantPolicyFor(settings, "", 3).detail, "tenant_id is empty");
  EXPECT_EQ(tenantPolicyFor(settings, std::string(65, 't'), 3).reason,
            api::Reason::invalid_tenant_id);
}

}  // namespace
}  // namespace creditgate
