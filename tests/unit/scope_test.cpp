// API key scopes (server/auth/scope.hpp): what parses, what each scope permits, and the errors for
// what does not parse.
#include "scope.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace creditgate::server {
namespace {

using ::testing::HasSubstr;

Scope parsed(std::string_view text) {
  auto result = parseScope(text);
  if (const auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << "refused " << text << ": " << *error;
    return {};
  }
  return std::get<Scope>(result);
}

std::string error(std::string_view text) {
  auto result = parseScope(text);
  if (std::holds_alternative<Scope>(result)) {
    ADD_FAILURE() << "accepted " << text;
    return "";
  }
  return std::get<std::string>(result);
}

TEST(Scope, ParsesTheThreeKindsAndWritesThemBack) {
  EXPECT_EQ(parsed("gateway"), Scope::gateway());
  EXPECT_EQ(parsed("admin"), Scope::admin());
  EXPECT_EQ(parsed("tenant:acme"), Scope::tenant("acme"));
  EXPECT_EQ(parsed("tenant:a:b"), Scope::tenant("a:b"));  // ':' is a printable character
  const std::string longest = "tenant:" + std::string(64, 'x');
  EXPECT_EQ(parsed(longest).tenant_id, std::string(64, 'x'));
  for (const char* text : {"gateway", "admin", "tenant:acme", "tenant:a:b"}) {
    EXPECT_EQ(scopeText(parsed(text)), text);
  }
}

TEST(Scope, RefusesAnythingElseQuotingIt) {
  EXPECT_EQ(error("Gateway"), "scope 'Gateway' must be gateway, admin or tenant:<tenant id>");
  for (const char* text : {"", "gateway ", " admin", "admins", "tenant", "tenants:acme", "*"}) {
    EXPECT_THAT(error(text), HasSubstr("must be gateway, admin or tenant:<tenant id>")) << text;
  }
}

TEST(Scope, RefusesATenantIdTheTenantRuleRefusesSayingWhy) {
  EXPECT_EQ(error("tenant:"),
            "scope 'tenant:' names no valid tenant: the tenant id '' is empty (tenant ids must be "
            "1 to 64 printable ASCII characters without spaces)");
  EXPECT_THAT(error("tenant:ac me"), HasSubstr("the tenant id 'ac me' has a space"));
  EXPECT_THAT(error("tenant:acme\n"), HasSubstr("the tenant id 'acme\\x0a' has a space or"));
  EXPECT_THAT(error("tenant:" + std::string(65, 'x')), HasSubstr("is longer than 64 bytes"));
  EXPECT_THAT(error("tenant:caf\xc3\xa9"), HasSubstr("non-printable"));
}

TEST(Scope, GatewayDecidesQuotesAndReportsForAnyTenantButReadsNoBalance) {
  const Scope gateway = Scope::gateway();
  for (const char* tenant : {"acme", "globex", ""}) {
    EXPECT_TRUE(permits(gateway, Action::decide, tenant));
    EXPECT_TRUE(permits(gateway, Action::quote, tenant));
    EXPECT_TRUE(permits(gateway, Action::report_outcomes, tenant));
    EXPECT_FALSE(permits(gateway, Action::read_balance, tenant));
  }
}

TEST(Scope, AdminMayDoEverything) {
  for (const Action action :
       {Action::decide, Action::quote, Action::report_outcomes, Action::read_balance}) {
    EXPECT_TRUE(permits(Scope::admin(), action, "acme")) << actionName(action);
  }
}

TEST(Scope, TenantReadsExactlyItsOwnBalanceAndNothingElse) {
  const Scope acme = parsed("tenant:acme");
  EXPECT_TRUE(permits(acme, Action::read_balance, "acme"));
  for (const char* other : {"globex", "ACME", "acme ", "acm", "acmee", ""}) {
    EXPECT_FALSE(permits(acme, Action::read_balance, other)) << other;
  }
  for (const Action action : {Action::decide, Action::quote, Action::report_outcomes}) {
    EXPECT_FALSE(permits(acme, action, "acme")) << actionName(action);
  }
}

TEST(Scope, ATenantScopeWithoutATenantPermitsNothing) {
  const Scope empty{Scope::Kind::tenant, ""};
  EXPECT_FALSE(permits(empty, Action::read_balance, ""));
}

}  // namespace
}  // namespace creditgate::server
