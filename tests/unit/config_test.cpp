#include "config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace creditgate {
namespace {

// Every document below carries this password so that each test can check it never leaks.
constexpr std::string_view kSecret = "s3cr3t-sentinel";

using Policy = InsufficientCreditPolicy;

Config parsed(std::string_view text) {
  auto result = parseConfig(text);
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    ADD_FAILURE() << error->toString() << "\n" << text;
    return {};
  }
  return std::get<Config>(std::move(result));
}

ConfigError refused(std::string_view text) {
  auto result = parseConfig(text);
  if (!std::holds_alternative<ConfigError>(result)) {
    ADD_FAILURE() << "accepted:\n" << text;
    return {};
  }
  return std::get<ConfigError>(std::move(result));
}

TEST(Config, ReadsEveryFieldOfAFullConfig) {
  const Config config = parsed(R"({
    "database": {
      "dsn": "host=127.0.0.1 dbname=creditgate password=s3cr3t-sentinel",
      "pool_size": 8,
      "statement_timeout_ms": 1500,
      "connect_timeout_s": 5,
      "rates_refresh_ms": 250
    },
    "limits": {"max_batch_recipients": 5000},
    "policy": {
      "on_insufficient_credit": "flag",
      "overdraft_limit": "0.5",
      "categories": {"authentication": {"on_insufficient_credit": "block", "overdraft_limit": "2"}},
      "tenants": {
        "acme": {
          "on_insufficient_credit": "block",
          "overdraft_limit": "20.000001",
          "categories": {"marketing": {"overdraft_limit": "0"}}
        },
        "tenant-2_x.y@z": {}
      }
    }
  })");
  EXPECT_EQ(config.startup.database_dsn,
            "host=127.0.0.1 dbname=creditgate password=s3cr3t-sentinel");
  EXPECT_EQ(config.startup.pool_size, 8);
  EXPECT_EQ(config.startup.statement_timeout_ms, 1500);
  EXPECT_EQ(config.startup.connect_timeout_s, 5);
  EXPECT_EQ(config.startup.rates_refresh_ms, 250);
  EXPECT_EQ(config.live.max_batch_recipients, 5000u);

  EXPECT_EQ(config.live.default_policy.rule.on_insufficient_credit, Policy::flag);
  EXPECT_EQ(config.live.default_policy.rule.overdraft_limit_micros, 500'000);
  ASSERT_EQ(config.live.default_policy.by_category.size(), 1u);
  const PolicyRule& authentication =
      config.live.default_policy.by_category.at(Category::authentication);
  EXPECT_EQ(authentication.on_insufficient_credit, Policy::block);
  EXPECT_EQ(authentication.overdraft_limit_micros, 2'000'000);

  ASSERT_EQ(config.live.tenant_policies.size(), 2u);
  const PolicyScope& acme = config.live.tenant_policies.at("acme");
  EXPECT_EQ(acme.rule.on_insufficient_credit, Policy::block);
  EXPECT_EQ(acme.rule.overdraft_limit_micros, 20'000'001);
  ASSERT_EQ(acme.by_category.size(), 1u);
  EXPECT_FALSE(acme.by_category.at(Category::marketing).on_insufficient_credit.has_value());
  EXPECT_EQ(acme.by_category.at(Category::marketing).overdraft_limit_micros, 0);
  const PolicyScope& other = config.live.tenant_policies.at("tenant-2_x.y@z");
  EXPECT_FALSE(other.rule.on_insufficient_credit.has_value());
  EXPECT_TRUE(other.by_category.empty());
}

TEST(Config, FillsDefaultsWhenOnlyTheDsnIsGiven) {
  const Config config = parsed(R"({"database": {"dsn": "dbname=x"}})");
  EXPECT_EQ(config.startup.database_dsn, "dbname=x");
  EXPECT_EQ(config.startup.pool_size, 4);
  EXPECT_EQ(config.startup.statement_timeout_ms, 2000);
  EXPECT_EQ(config.startup.connect_timeout_s, 3);
  EXPECT_EQ(config.startup.rates_refresh_ms, 5000);
  EXPECT_EQ(config.live.max_batch_recipients, 1000u);
  EXPECT_FALSE(config.live.default_policy.rule.on_insufficient_credit.has_value());
  EXPECT_FALSE(config.live.default_policy.rule.overdraft_limit_micros.has_value());
  EXPECT_TRUE(config.live.tenant_policies.empty());
  EXPECT_EQ(config.live.policyFor("anyone", Category::marketing),
            (EffectivePolicy{Policy::block, 0}));
}

TEST(Config, AcceptsTheBoundsOfEveryRange) {
  const Config low = parsed(R"({"database": {"dsn": "x", "pool_size": 1, "statement_timeout_ms": 1,
      "connect_timeout_s": 1, "rates_refresh_ms": 100}, "limits": {"max_batch_recipients": 1}})");
  EXPECT_EQ(low.startup.pool_size, 1);
  EXPECT_EQ(low.startup.rates_refresh_ms, 100);
  EXPECT_EQ(low.live.max_batch_recipients, 1u);
  const Config high = parsed(R"({"database": {"dsn": "x", "pool_size": 256,
      "statement_timeout_ms": 600000, "connect_timeout_s": 600, "rates_refresh_ms": 3600000},
      "limits": {"max_batch_recipients": 100000}})");
  EXPECT_EQ(high.startup.pool_size, 256);
  EXPECT_EQ(high.startup.statement_timeout_ms, 600000);
  EXPECT_EQ(high.startup.connect_timeout_s, 600);
  EXPECT_EQ(high.startup.rates_refresh_ms, 3600000);
  EXPECT_EQ(high.live.max_batch_recipients, 100000u);
}

TEST(Config, AcceptsATenantIdOfExactlySixtyFourBytes) {
  const std::string id(64, 't');
  const Config config =
      parsed(R"({"database": {"dsn": "x"}, "policy": {"tenants": {")" + id + R"(": {}}}})");
  EXPECT_EQ(config.live.tenant_policies.count(id), 1u);
}

// Each level sets a different value so the winner is visible, and some levels set only one of the
// two fields so that each field is shown to resolve on its own.
constexpr std::string_view kLayeredPolicy = R"({
  "database": {"dsn": "x"},
  "policy": {
    "on_insufficient_credit": "block",
    "overdraft_limit": "1",
    "categories": {
      "marketing": {"on_insufficient_credit": "flag", "overdraft_limit": "2"},
      "service": {"overdraft_limit": "6"}
    },
    "tenants": {
      "acme": {
        "on_insufficient_credit": "block",
        "overdraft_limit": "3",
        "categories": {
          "utility": {"on_insufficient_credit": "flag", "overdraft_limit": "4"},
          "authentication": {"overdraft_limit": "5"}
        }
      },
      "beta": {"categories": {"marketing": {"overdraft_limit": "7"}}}
    }
  }
})";

constexpr std::int64_t kUnit = 1'000'000;

TEST(ConfigPolicy, UsesTheDefaultForAnUnknownTenant) {
  const Config config = parsed(kLayeredPolicy);
  EXPECT_EQ(config.live.policyFor("nobody", Category::utility),
            (EffectivePolicy{Policy::block, 1 * kUnit}));
}

TEST(ConfigPolicy, DefaultCategoryBeatsDefault) {
  const Config config = parsed(kLayeredPolicy);
  EXPECT_EQ(config.live.policyFor("nobody", Category::marketing),
            (EffectivePolicy{Policy::flag, 2 * kUnit}));
  // service sets only the limit: the policy still comes from the default
  EXPECT_EQ(config.live.policyFor("nobody", Category::service),
            (EffectivePolicy{Policy::block, 6 * kUnit}));
}

TEST(ConfigPolicy, TenantBeatsDefaultCategory) {
  const Config config = parsed(kLayeredPolicy);
  EXPECT_EQ(config.live.policyFor("acme", Category::marketing),
            (EffectivePolicy{Policy::block, 3 * kUnit}));
  EXPECT_EQ(config.live.policyFor("acme", Category::service),
            (EffectivePolicy{Policy::block, 3 * kUnit}));
}

TEST(ConfigPolicy, TenantCategoryBeatsEverything) {
  const Config config = parsed(kLayeredPolicy);
  EXPECT_EQ(config.live.policyFor("acme", Category::utility),
            (EffectivePolicy{Policy::flag, 4 * kUnit}));
}

TEST(ConfigPolicy, ResolvesEachFieldAtItsOwnMostSpecificLevel) {
  const Config config = parsed(kLayeredPolicy);
  // acme/authentication: limit from the tenant category, policy from the tenant
  EXPECT_EQ(config.live.policyFor("acme", Category::authentication),
            (EffectivePolicy{Policy::block, 5 * kUnit}));
  // beta/marketing: limit from the tenant category, policy from the default category
  EXPECT_EQ(config.live.policyFor("beta", Category::marketing),
            (EffectivePolicy{Policy::flag, 7 * kUnit}));
  // beta/utility: beta sets nothing for it, so the default applies
  EXPECT_EQ(config.live.policyFor("beta", Category::utility),
            (EffectivePolicy{Policy::block, 1 * kUnit}));
}

TEST(ConfigPolicy, FallsBackToBlockWithoutOverdraftWhenNothingIsSet) {
  const Config config = parsed(R"({"database": {"dsn": "x"},
    "policy": {"tenants": {"acme": {"categories": {"utility": {}}}}}})");
  EXPECT_EQ(config.live.policyFor("acme", Category::utility), (EffectivePolicy{Policy::block, 0}));
}

TEST(ConfigPolicy, NamesEachPolicy) {
  EXPECT_EQ(policyName(Policy::block), "block");
  EXPECT_EQ(policyName(Policy::flag), "flag");
}

struct Refusal {
  std::string_view name;
  std::string text;
  std::string_view field;
  int line;
  int column;
  std::string_view message;  // a part of the message
};

void PrintTo(const Refusal& refusal, std::ostream* out) { *out << refusal.name; }

// "line L, column C: field: " then the message: what an admin reads.
std::string expectedPrefix(const Refusal& refusal) {
  std::string prefix =
      "line " + std::to_string(refusal.line) + ", column " + std::to_string(refusal.column) + ": ";
  if (!refusal.field.empty()) {
    prefix += std::string(refusal.field) + ": ";
  }
  return prefix;
}

class ConfigRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(ConfigRefusal, NamesFieldLineColumnAndCauseButNeverTheSecret) {
  const Refusal& expected = GetParam();
  const ConfigError error = refused(expected.text);
  const std::string text = error.toString();
  EXPECT_EQ(error.field, expected.field) << text;
  EXPECT_EQ(error.line, expected.line) << text;
  EXPECT_EQ(error.column, expected.column) << text;
  EXPECT_EQ(text.rfind(expectedPrefix(expected), 0), 0u) << text;
  EXPECT_NE(error.message.find(expected.message), std::string::npos) << text;
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
}

// The documents put the offending key or value at the start of a line where they can, so that the
// expected column is its indentation plus one.
const Refusal kRefusals[] = {
    // unknown keys, at every level
    {"UnknownTopLevelKey", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "databse": {}
})",
     "databse", 3, 3, "unknown key; expected one of: database, limits, policy"},
    {"UnknownDatabaseKey", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "pool_sise": 4
  }
})",
     "database.pool_sise", 4, 5, "unknown key"},
    {"UnknownLimitsKey", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "limits": {
    "max_recipients": 5
  }
})",
     "limits.max_recipients", 4, 5, "unknown key; expected one of: max_batch_recipients"},
    {"UnknownPolicyKey", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "overdraft": "5"
  }
})",
     "policy.overdraft", 4, 5, "unknown key"},
    {"UnknownDefaultCategoryRuleKey", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "categories": {
      "marketing": {
        "limit": "1"
      }
    }
  }
})",
     "policy.categories.marketing.limit", 6, 9,
     "unknown key; expected one of: on_insufficient_credit, overdraft_limit"},
    {"UnknownTenantKey", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "acme": {
        "tenants": {}
      }
    }
  }
})",
     "policy.tenants.acme.tenants", 6, 9, "unknown key"},
    {"UnknownTenantCategoryRuleKey", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "acme": {
        "categories": {
          "utility": {
            "overdraft": "1"
          }
        }
      }
    }
  }
})",
     "policy.tenants.acme.categories.utility.overdraft", 8, 13, "unknown key"},
    {"UnknownDefaultCategory", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "categories": {
      "marketting": {}
    }
  }
})",
     "policy.categories.marketting", 5, 7,
     "unknown category 'marketting'; expected one of: marketing, utility, authentication, "
     "authentication_international, service"},
    {"UnknownTenantCategory", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "acme": {
        "categories": {
          "Marketing": {}
        }
      }
    }
  }
})",
     "policy.tenants.acme.categories.Marketing", 7, 11, "unknown category 'Marketing'"},

    // duplicate keys, at every level: refused by the JSON reader, which names the path
    {"DuplicateTopLevelKey", R"({
  "database": {"dsn": "x"},
  "database": {"dsn": "password=s3cr3t-sentinel"}
})",
     "", 3, 3, "duplicate key 'database'"},
    {"DuplicateDsn", R"({
  "database": {
    "dsn": "host=a",
    "dsn": "password=s3cr3t-sentinel"
  }
})",
     "", 4, 5, "duplicate key 'database.dsn'"},
    {"DuplicateTenant", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "acme": {},
      "acme": {}
    }
  }
})",
     "", 6, 7, "duplicate key 'policy.tenants.acme'"},
    {"DuplicateCategory", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "categories": {
      "utility": {},
      "utility": {}
    }
  }
})",
     "", 6, 7, "duplicate key 'policy.categories.utility'"},
    {"DuplicateKeyInTenantCategoryRule", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "acme": {
        "categories": {
          "utility": {
            "on_insufficient_credit": "flag",
            "on_insufficient_credit": "block"
          }
        }
      }
    }
  }
})",
     "", 9, 13, "duplicate key 'policy.tenants.acme.categories.utility.on_insufficient_credit'"},

    // wrong types
    {"TopLevelArray", R"([
  {"database": {"dsn": "password=s3cr3t-sentinel"}}
])",
     "", 1, 1, "the top level must be an object, not array"},
    {"DatabaseIsTheDsnString", R"({
  "database":
    "password=s3cr3t-sentinel"
})",
     "database", 3, 5, "expected object, got string"},
    {"DsnIsAnInteger", R"({
  "database": {
    "dsn":
      5432
  }
})",
     "database.dsn", 4, 7, "expected string, got integer"},
    {"DsnIsAnObjectHoldingThePassword", R"({
  "database": {
    "dsn":
      {"host": "db", "password": "s3cr3t-sentinel"}
  }
})",
     "database.dsn", 4, 7, "expected string, got object"},
    {"DsnIsAnArrayHoldingThePassword", R"({
  "database": {
    "dsn":
      ["password=s3cr3t-sentinel"]
  }
})",
     "database.dsn", 4, 7, "expected string, got array"},
    {"PoolSizeIsAString", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "pool_size":
      "4"
  }
})",
     "database.pool_size", 5, 7, "expected integer, got string '4'"},
    {"TimeoutIsAFraction", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "statement_timeout_ms":
      2.5
  }
})",
     "database.statement_timeout_ms", 5, 7, "expected integer, got number 2.5"},
    {"LimitsIsAnArray", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "limits":
    [1000]
})",
     "limits", 4, 5, "expected object, got array"},
    {"PolicyNameIsABoolean", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "on_insufficient_credit":
      true
  }
})",
     "policy.on_insufficient_credit", 5, 7, "expected string, got boolean true"},
    {"OverdraftIsAJsonInteger", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "overdraft_limit":
      5
  }
})",
     "policy.overdraft_limit", 5, 7, "must be a decimal string such as \"5.00\", not integer 5"},
    {"OverdraftIsAJsonFraction", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "acme": {
        "overdraft_limit":
          20.5
      }
    }
  }
})",
     "policy.tenants.acme.overdraft_limit", 7, 11,
     "must be a decimal string such as \"5.00\", not number 20.5"},
    {"CategoriesIsAnArray", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "categories":
      ["marketing"]
  }
})",
     "policy.categories", 5, 7, "expected object, got array"},
    {"TenantsIsAString", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants":
      "acme"
  }
})",
     "policy.tenants", 5, 7, "expected object, got string"},
    {"TenantIsNull", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "acme":
        null
    }
  }
})",
     "policy.tenants.acme", 6, 9, "expected object, got null"},
    {"CategoryRuleIsAString", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "categories": {
      "utility":
        "flag"
    }
  }
})",
     "policy.categories.utility", 6, 9, "expected object, got string"},

    // bad values
    {"UnknownPolicyName", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "on_insufficient_credit":
      "Block"
  }
})",
     "policy.on_insufficient_credit", 5, 7, "'Block' is not one of: block, flag, partial"},
    {"UnknownTenantCategoryPolicyName", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {"tenants": {"acme": {"categories": {"service": {
    "on_insufficient_credit":
      "allow"
  }}}}}
})",
     "policy.tenants.acme.categories.service.on_insufficient_credit", 5, 7,
     "'allow' is not one of: block, flag, partial"},
    {"NegativeOverdraft", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "overdraft_limit":
      "-5"
  }
})",
     "policy.overdraft_limit", 5, 7, "'-5' is negative"},
    {"OverdraftWithSevenDecimals", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "categories": {"marketing": {
      "overdraft_limit":
        "1.0000001"
    }}
  }
})",
     "policy.categories.marketing.overdraft_limit", 6, 9, "'1.0000001'"},
    {"OverdraftWithExponent", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "acme": {
        "overdraft_limit":
          "1e3"
      }
    }
  }
})",
     "policy.tenants.acme.overdraft_limit", 7, 11, "'1e3' is not a plain decimal number"},
    {"EmptyOverdraft", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "overdraft_limit":
      ""
  }
})",
     "policy.overdraft_limit", 5, 7, "''"},

    // out-of-range integers
    {"PoolSizeZero", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "pool_size":
      0
  }
})",
     "database.pool_size", 5, 7, "0 is out of range 1..256"},
    {"PoolSizeTooLarge", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "pool_size":
      257
  }
})",
     "database.pool_size", 5, 7, "257 is out of range 1..256"},
    {"NegativeStatementTimeout", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "statement_timeout_ms":
      -1
  }
})",
     "database.statement_timeout_ms", 5, 7, "-1 is out of range 1..600000"},
    {"StatementTimeoutTooLarge", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "statement_timeout_ms":
      600001
  }
})",
     "database.statement_timeout_ms", 5, 7, "600001 is out of range 1..600000"},
    {"ConnectTimeoutTooLarge", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "connect_timeout_s":
      601
  }
})",
     "database.connect_timeout_s", 5, 7, "601 is out of range 1..600"},
    {"RatesRefreshTooFrequent", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "rates_refresh_ms":
      99
  }
})",
     "database.rates_refresh_ms", 5, 7, "99 is out of range 100..3600000"},
    {"MaxBatchRecipientsZero", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "limits": {
    "max_batch_recipients":
      0
  }
})",
     "limits.max_batch_recipients", 5, 7, "0 is out of range 1..100000"},
    {"MaxBatchRecipientsTooLarge", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "limits": {
    "max_batch_recipients":
      100001
  }
})",
     "limits.max_batch_recipients", 5, 7, "100001 is out of range 1..100000"},
    {"PoolSizeBeyondInt64", R"({
  "database": {
    "dsn": "password=s3cr3t-sentinel",
    "pool_size":
      99999999999999999999
  }
})",
     "", 5, 7, "integer out of range"},

    // tenant ids
    {"TenantIdWithSpace", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "ac me": {}
    }
  }
})",
     "policy.tenants", 5, 7,
     "tenant id 'ac me' must be 1 to 64 printable ASCII characters without spaces"},
    {"EmptyTenantId", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "": {}
    }
  }
})",
     "policy.tenants", 5, 7, "tenant id '' must be"},
    {"TenantIdWithNonAscii", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "café": {}
    }
  }
})",
     "policy.tenants", 5, 7, "tenant id 'caf\\xc3\\xa9' must be"},
    {"TenantIdWithControlCharacter", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
  "policy": {
    "tenants": {
      "a\tb": {}
    }
  }
})",
     "policy.tenants", 5, 7, "tenant id 'a\\x09b' must be"},
    {"TenantIdOfSixtyFiveBytes",
     "{\n"
     "  \"database\": {\"dsn\": \"password=s3cr3t-sentinel\"},\n"
     "  \"policy\": {\"tenants\": {\n"
     "    \"" + std::string(65, 't') + "\": {}\n"
     "  }}\n"
     "}",
     "policy.tenants", 4, 5, "tenant id 'tttttttttt"},

    // required dsn
    {"MissingDatabase", R"({
  "limits": {"max_batch_recipients": 5}
})",
     "database.dsn", 1, 1, "is required"},
    {"MissingDsn", R"({
  "database":
    {"pool_size": 4}
})",
     "database.dsn", 3, 5, "is required"},
    {"EmptyDsn", R"({
  "database": {
    "dsn":
      ""
  }
})",
     "database.dsn", 4, 7, "must not be empty"},
    {"BlankDsn", R"({
  "database": {
    "dsn":
      "  "
  }
})",
     "database.dsn", 4, 7, "must not be empty"},

    // syntax
    {"MissingComma", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"}
  "limits": {}
})",
     "", 3, 3, "syntax error"},
    {"TrailingComma", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"},
})",
     "", 3, 1, "syntax error"},
    {"Comment", R"({
  # comment
  "database": {"dsn": "password=s3cr3t-sentinel"}
})",
     "", 2, 3, "syntax error"},
    {"InvalidEscapeInsideDsn", R"({
  "database": {"dsn": "password=s3cr3t\q-sentinel"}
})",
     "", 2, 40, "syntax error"},
    {"RawNewlineInsideDsn", "{\n  \"database\": {\"dsn\": \"password=s3cr3t\n-sentinel\"}\n}", "", 2,
     39, "syntax error"},
    {"UnterminatedDocument", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"}
)",
     "", 3, 1, "incomplete"},
    {"TrailingGarbage", R"({
  "database": {"dsn": "password=s3cr3t-sentinel"}
}
}
)",
     "", 4, 1, "unexpected text after the JSON document"},
    {"EmptyDocument", "", "", 1, 1, "incomplete"},
};

INSTANTIATE_TEST_SUITE_P(
    Config, ConfigRefusal, ::testing::ValuesIn(kRefusals),
    [](const ::testing::TestParamInfo<Refusal>& info) { return std::string(info.param.name); });

TEST(ConfigError, FormatsLineColumnFieldAndMessage) {
  const ConfigError error{"policy.tenants.acme.overdraft_limit", 12, 5,
                          "'1e3' is not a plain decimal number"};
  EXPECT_EQ(error.toString(),
            "line 12, column 5: policy.tenants.acme.overdraft_limit: '1e3' is not a plain decimal "
            "number");
}

TEST(ConfigError, LeavesOutTheFieldForSyntaxErrors) {
  EXPECT_EQ((ConfigError{"", 3, 1, "syntax error"}).toString(), "line 3, column 1: syntax error");
}

TEST(ConfigError, LeavesOutThePositionForErrorsOutsideTheText) {
  EXPECT_EQ((ConfigError{"", 0, 0, "cannot read /x: No such file or directory"}).toString(),
            "cannot read /x: No such file or directory");
}

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string write(std::string_view name, std::string_view text) {
    const std::filesystem::path path = directory_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path directory_;
};

TEST_F(ConfigFile, LoadsAValidFile) {
  const std::string path = write("ok.json", R"({"database": {"dsn": "dbname=x", "pool_size": 9}})");
  const auto result = loadConfigFile(path);
  ASSERT_TRUE(std::holds_alternative<Config>(result)) << std::get<ConfigError>(result).toString();
  EXPECT_EQ(std::get<Config>(result).startup.pool_size, 9);
}

TEST_F(ConfigFile, ReportsAMissingFileWithItsPathAndReason) {
  const std::string path = (directory_ / "absent.json").string();
  const auto result = loadConfigFile(path);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  const ConfigError& error = std::get<ConfigError>(result);
  EXPECT_EQ(error.line, 0);
  EXPECT_EQ(error.field, "");
  EXPECT_EQ(error.toString(), "cannot read " + path + ": No such file or directory");
}

TEST_F(ConfigFile, ReportsADirectoryAsUnreadable) {
  const auto result = loadConfigFile(directory_.string());
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  EXPECT_EQ(std::get<ConfigError>(result).toString(),
            "cannot read " + directory_.string() + ": Is a directory");
}

TEST_F(ConfigFile, ReportsErrorsInsideTheFileWithTheirPosition) {
  const std::string path = write("bad.json", "{\"database\": {\"dsn\": \"x\",\n  \"pool_size\": 0}}");
  const auto result = loadConfigFile(path);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  EXPECT_EQ(std::get<ConfigError>(result).toString(),
            "line 2, column 16: database.pool_size: 0 is out of range 1..256");
}

}  // namespace
}  // namespace creditgate

namespace creditgate {
namespace {

TEST(ConfigPricing, ReadsPartialAsAnInsufficientCreditPolicy) {
  auto result = parseConfig(R"({"database": {"dsn": "x"},
    "policy": {"tenants": {"otp": {"on_insufficient_credit": "partial"}}}})");
  ASSERT_TRUE(std::holds_alternative<Config>(result));
  EXPECT_EQ(
      std::get<Config>(result).live.policyFor("otp", Category::marketing).on_insufficient_credit,
      InsufficientCreditPolicy::partial);
}

TEST(ConfigPricing, MissingRatePolicyDefaultsToBlockAndReadsOther) {
  auto defaults = parseConfig(R"({"database": {"dsn": "x"}})");
  ASSERT_TRUE(std::holds_alternative<Config>(defaults));
  EXPECT_EQ(std::get<Config>(defaults).live.on_missing_rate, MissingRatePolicy::block);
  auto other = parseConfig(R"({"database": {"dsn": "x"}, "pricing": {"on_missing_rate": "other"}})");
  ASSERT_TRUE(std::holds_alternative<Config>(other));
  EXPECT_EQ(std::get<Config>(other).live.on_missing_rate, MissingRatePolicy::price_as_other);
}

TEST(ConfigPricing, RefusesAnUnknownMissingRatePolicyNamingFieldLineAndColumn) {
  auto result = parseConfig("{\"database\": {\"dsn\": \"x\"},\n \"pricing\": {\"on_missing_rate\": \"zero\"}}");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(result));
  const ConfigError& error = std::get<ConfigError>(result);
  EXPECT_EQ(error.field, "pricing.on_missing_rate");
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.column, 33);
  EXPECT_NE(error.message.find("'zero' is not one of: block, other"), std::string::npos)
      << error.message;
}

}  // namespace
}  // namespace creditgate

namespace creditgate {
namespace {

TEST(ConfigGroupCommit, IsOnByDefaultAndReadsItsKeysStrictly) {
  auto defaults = parseConfig(R"({"database": {"dsn": "x"}})");
  ASSERT_TRUE(std::holds_alternative<Config>(defaults));
  EXPECT_TRUE(std::get<Config>(defaults).startup.group_commit);
  EXPECT_EQ(std::get<Config>(defaults).startup.group_commit_max_batches, 64);
  auto off = parseConfig(
      R"({"database": {"dsn": "x", "group_commit": {"enabled": false, "max_batches": 8}}})");
  ASSERT_TRUE(std::holds_alternative<Config>(off));
  EXPECT_FALSE(std::get<Config>(off).startup.group_commit);
  EXPECT_EQ(std::get<Config>(off).startup.group_commit_max_batches, 8);
  auto bad = parseConfig(R"({"database": {"dsn": "x", "group_commit": {"max_batches": 0}}})");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(bad));
  EXPECT_EQ(std::get<ConfigError>(bad).field, "database.group_commit.max_batches");
}

TEST(ConfigDatabase, PreparesStatementsByDefaultAndReadsTheSwitchStrictly) {
  auto defaults = parseConfig(R"({"database": {"dsn": "x"}})");
  ASSERT_TRUE(std::holds_alternative<Config>(defaults));
  EXPECT_TRUE(std::get<Config>(defaults).startup.prepared_statements);
  auto off = parseConfig(R"({"database": {"dsn": "x", "prepared_statements": false}})");
  ASSERT_TRUE(std::holds_alternative<Config>(off));
  EXPECT_FALSE(std::get<Config>(off).startup.prepared_statements);
  for (const char* value : {"\"false\"", "0", "null"}) {
    auto bad = parseConfig(std::string(R"({"database": {"dsn": "x", "prepared_statements": )") +
                           value + "}}");
    ASSERT_TRUE(std::holds_alternative<ConfigError>(bad)) << value;
    EXPECT_EQ(std::get<ConfigError>(bad).field, "database.prepared_statements") << value;
  }
  // Restart-only: a reload that flips it is told so, by name.
  StartupSettings edited = std::get<Config>(defaults).startup;
  edited.prepared_statements = false;
  EXPECT_EQ(changedStartupSettings(std::get<Config>(defaults).startup, edited),
            std::vector<std::string>{"database.prepared_statements"});
}

TEST(ConfigGroupCommit, GathersForAtMostTenMillisecondsAndZeroTurnsItOff) {
  auto defaults = parseConfig(R"({"database": {"dsn": "x"}})");
  ASSERT_TRUE(std::holds_alternative<Config>(defaults));
  EXPECT_EQ(std::get<Config>(defaults).startup.group_commit_gather_us, 1500);
  auto off = parseConfig(R"({"database": {"dsn": "x", "group_commit": {"gather_us": 0}}})");
  ASSERT_TRUE(std::holds_alternative<Config>(off));
  EXPECT_EQ(std::get<Config>(off).startup.group_commit_gather_us, 0);
  for (const char* value : {"10001", "-1", "\"1500\"", "1.5"}) {
    auto bad = parseConfig(
        std::string(R"({"database": {"dsn": "x", "group_commit": {"gather_us": )") + value + "}}}");
    ASSERT_TRUE(std::holds_alternative<ConfigError>(bad)) << value;
    EXPECT_EQ(std::get<ConfigError>(bad).field, "database.group_commit.gather_us") << value;
  }
}

TEST(ConfigMetrics, ListensOnLoopbackByDefaultAndRefusesAMalformedAddress) {
  auto defaults = parseConfig(R"({"database": {"dsn": "x"}})");
  ASSERT_TRUE(std::holds_alternative<Config>(defaults));
  EXPECT_EQ(std::get<Config>(defaults).startup.metrics_listen, "127.0.0.1:9464");
  auto bad = parseConfig(R"({"database": {"dsn": "x"}, "metrics": {"listen": "9464"}})");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(bad));
  EXPECT_EQ(std::get<ConfigError>(bad).field, "metrics.listen");
}

TEST(ConfigNotifications, ReadsThresholdsExactlyAndRefusesAWarningBelowCritical) {
  auto ok = parseConfig(R"({"database": {"dsn": "x"}, "notifications": {
      "low_balance_warning": "10.5", "low_balance_critical": "0.000001",
      "tenants": {"acme": {"low_balance_critical": "2"}}}})");
  ASSERT_TRUE(std::holds_alternative<Config>(ok));
  const Config& config = std::get<Config>(ok);
  EXPECT_EQ(config.live.alertsFor("acme").warning_micros, 10'500'000);
  EXPECT_EQ(config.live.alertsFor("acme").critical_micros, 2'000'000);
  EXPECT_EQ(config.live.alertsFor("other").critical_micros, 1);
  auto bad = parseConfig(R"({"database": {"dsn": "x"}, "notifications": {
      "low_balance_warning": "1", "low_balance_critical": "2"}})");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(bad));
  EXPECT_EQ(std::get<ConfigError>(bad).field, "notifications.low_balance_warning");
}

TEST(ConfigNotifications, ReadsTheChannelSettingsAndTheirDefaults) {
  auto defaults = parseConfig(R"({"database": {"dsn": "x"}})");
  ASSERT_TRUE(std::holds_alternative<Config>(defaults));
  const StartupSettings& d = std::get<Config>(defaults).startup;
  EXPECT_EQ(d.smtp_url, "smtp://localhost:25");
  EXPECT_EQ(d.smtp_starttls, "when_offered");
  EXPECT_EQ(d.email_from, "creditgate@localhost");
  EXPECT_EQ(d.relay_concurrency, 4);
  EXPECT_EQ(d.relay_retry_period_s, 86400);
  EXPECT_EQ(d.relay_max_backoff_ms, 3600000);
  EXPECT_EQ(d.webhook_timeout_ms, 10000);

  auto set = parseConfig(R"({"database": {"dsn": "x"}, "notifications": {
      "relay": {"concurrency": 8, "max_backoff_ms": 60000, "retry_period_s": 3600},
      "email": {"smtp_url": "smtps://mail.example.com:465", "starttls": "required",
                "username": "gw", "password_file": "/etc/creditgate/smtp-password",
                "from": "credit@example.com", "timeout_ms": 5000,
                "portal_url": "https://billing.example.com/portal/"},
      "webhook": {"timeout_ms": 3000}}})");
  ASSERT_TRUE(std::holds_alternative<Config>(set));
  const StartupSettings& s = std::get<Config>(set).startup;
  EXPECT_EQ(s.relay_concurrency, 8);
  EXPECT_EQ(s.relay_max_backoff_ms, 60000);
  EXPECT_EQ(s.relay_retry_period_s, 3600);
  EXPECT_EQ(s.smtp_url, "smtps://mail.example.com:465");
  EXPECT_EQ(s.smtp_starttls, "required");
  EXPECT_EQ(s.smtp_username, "gw");
  EXPECT_EQ(s.smtp_password_file, "/etc/creditgate/smtp-password");
  EXPECT_EQ(s.email_from, "credit@example.com");
  EXPECT_EQ(s.email_timeout_ms, 5000);
  EXPECT_EQ(s.portal_url, "https://billing.example.com/portal/");
  EXPECT_EQ(s.webhook_timeout_ms, 3000);
  EXPECT_EQ(changedStartupSettings(d, s).size(), 11u);  // each is named for a restart
}

TEST(ConfigNotifications, RefusesChannelSettingsThatCannotWorkNamingFieldAndValue) {
  const std::pair<std::string, std::string> cases[] = {
      {R"("email": {"smtp_url": "http://mail.example.com"})", "notifications.email.smtp_url"},
      {R"("email": {"starttls": "sometimes"})", "notifications.email.starttls"},
      {R"("email": {"from": "Credit <credit@example.com>"})", "notifications.email.from"},
      {R"("email": {"from": "credit@example.com\r\nBcc: x@y.z"})", "notifications.email.from"},
      {R"("email": {"password_file": "/etc/pw"})", "notifications.email.username"},
      {R"("email": {"username": "gw"})", "notifications.email.password_file"},
      {R"("email": {"username": "gw", "password_file": ""})", "notifications.email.password_file"},
      {R"("email": {"smtp_url": "smtp://"})", "notifications.email.smtp_url"},
      {R"("email": {"smtp_url": "smtp://:25"})", "notifications.email.smtp_url"},
      {R"("email": {"smtp_url": "smtp://gw:pw@mail.example.com"})", "notifications.email.smtp_url"},
      {R"("email": {"timeout_ms": 500})", "notifications.email.timeout_ms"},
      {R"("email": {"portal_url": "billing.example.com"})", "notifications.email.portal_url"},
      {R"("webhook": {"timeout_ms": 120001})", "notifications.webhook.timeout_ms"},
      {R"("relay": {"concurrency": 0})", "notifications.relay.concurrency"},
      {R"("relay": {"retry_period_s": 0})", "notifications.relay.retry_period_s"},
  };
  for (const auto& [members, field] : cases) {
    auto result = parseConfig(R"({"database": {"dsn": "x"}, "notifications": {)" + members + "}}");
    ASSERT_TRUE(std::holds_alternative<ConfigError>(result)) << members;
    EXPECT_EQ(std::get<ConfigError>(result).field, field) << members;
  }
  auto bad = parseConfig(
      R"({"database": {"dsn": "x"}, "notifications": {"email": {"starttls": "sometimes"}}})");
  EXPECT_NE(std::get<ConfigError>(bad).message.find("'sometimes'"), std::string::npos)
      << std::get<ConfigError>(bad).message;
  // A password in the URL is refused without being repeated.
  auto in_url = parseConfig(R"({"database": {"dsn": "x"}, "notifications": {"email": {)"
                            R"("smtp_url": "smtp://gw:s3cr3t@mail.example.com"}}})");
  EXPECT_EQ(std::get<ConfigError>(in_url).message.find("s3cr3t"), std::string::npos);
}

}  // namespace
}  // namespace creditgate

namespace creditgate {
namespace {

std::string failurePolicyConfig(const std::string& policy_members, const std::string& failure) {
  return R"({"database": {"dsn": "x"}, "policy": {)" + policy_members + R"(}, "failure": {)" +
         failure + "}}";
}

TEST(ConfigFailurePolicy, AllowFlaggedNeedsAJournalAndACapAboveZero) {
  const std::string allow = R"("on_ledger_unavailable": "allow_flagged")";
  auto no_journal =
      parseConfig(failurePolicyConfig(allow + R"(, "ledger_unavailable_cap": "5")", ""));
  ASSERT_TRUE(std::holds_alternative<ConfigError>(no_journal));
  EXPECT_EQ(std::get<ConfigError>(no_journal).field, "failure.journal_path");

  // The default cap is 0: allow_flagged would then block every batch of an outage.
  auto no_cap = parseConfig(failurePolicyConfig(allow, R"("journal_path": "/tmp/j")"));
  ASSERT_TRUE(std::holds_alternative<ConfigError>(no_cap));
  EXPECT_EQ(std::get<ConfigError>(no_cap).field, "policy.ledger_unavailable_cap");
  EXPECT_NE(std::get<ConfigError>(no_cap).message.find("must be more than 0"), std::string::npos);

  auto both = parseConfig(failurePolicyConfig(allow + R"(, "ledger_unavailable_cap": "5.50")",
                                              R"("journal_path": "/tmp/j")"));
  ASSERT_TRUE(std::holds_alternative<Config>(both)) << std::get<ConfigError>(both).toString();
  EXPECT_EQ(std::get<Config>(both).live.ledger_unavailable_cap_micros, 5'500'000);
}

// An admin reading the refusal goes to the setting that needs the other, not to line 1.
TEST(ConfigFailurePolicy, AMissingCompanionSettingIsReportedWhereAllowFlaggedWasSet) {
  const std::string text =
      "{\n  \"database\": {\"dsn\": \"x\"},\n  \"policy\": {\n"
      "    \"on_ledger_unavailable\": \"allow_flagged\"\n  }\n}\n";
  auto refused = parseConfig(text);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(refused));
  const ConfigError& error = std::get<ConfigError>(refused);
  EXPECT_EQ(error.field, "failure.journal_path");
  EXPECT_EQ(error.line, 4) << error.toString();
  EXPECT_EQ(error.column, 30) << error.toString();
}

TEST(ConfigFailurePolicy, InDoubtGraceIsTenMinutesByDefaultAndReadInSeconds) {
  auto defaults = parseConfig(R"({"database": {"dsn": "x"}})");
  ASSERT_TRUE(std::holds_alternative<Config>(defaults));
  EXPECT_EQ(std::get<Config>(defaults).live.in_doubt_grace_ms, 600'000);
  EXPECT_TRUE(std::get<Config>(defaults).startup.journal_path.empty());
  auto set = parseConfig(failurePolicyConfig("", R"("in_doubt_grace_s": 30)"));
  ASSERT_TRUE(std::holds_alternative<Config>(set));
  EXPECT_EQ(std::get<Config>(set).live.in_doubt_grace_ms, 30'000);
  auto zero = parseConfig(failurePolicyConfig("", R"("in_doubt_grace_s": 0)"));
  ASSERT_TRUE(std::holds_alternative<ConfigError>(zero));
  EXPECT_EQ(std::get<ConfigError>(zero).field, "failure.in_doubt_grace_s");
}

TEST(ConfigStartupSettings, EachChangedOneIsNamedAndTheLiveOnesAreApart) {
  auto running = std::get<Config>(parseConfig(
      R"({"database": {"dsn": "host=a password=s3cr3t-sentinel", "pool_size": 4},
          "metrics": {"listen": ""}})"));
  auto edited = std::get<Config>(parseConfig(
      R"({"database": {"dsn": "host=b password=s3cr3t-sentinel", "pool_size": 8},
          "metrics": {"listen": ""}, "policy": {"on_insufficient_credit": "flag"}})"));
  EXPECT_EQ(changedStartupSettings(running.startup, edited.startup),
            (std::vector<std::string>{"database.dsn", "database.pool_size"}));
  EXPECT_TRUE(changedStartupSettings(running.startup, running.startup).empty());
  // A policy is live: it is not a startup setting, and nothing names it.
  EXPECT_EQ(edited.live.default_policy.rule.on_insufficient_credit, InsufficientCreditPolicy::flag);
}

}  // namespace
}  // namespace creditgate
