#include "scope.hpp"

#include "quoted_text.hpp"
#include "tenant_id.hpp"

namespace creditgate::server {
namespace {

constexpr std::string_view kGateway = "gateway";
constexpr std::string_view kAdmin = "admin";
constexpr std::string_view kTenantPrefix = "tenant:";

}  // namespace

std::variant<Scope, std::string> parseScope(std::string_view text) {
  if (text == kGateway) return Scope::gateway();
  if (text == kAdmin) return Scope::admin();
  if (text.starts_with(kTenantPrefix)) {
    const std::string_view tenant_id = text.substr(kTenantPrefix.size());
    if (const auto problem = tenantIdProblem(tenant_id)) {
      return "scope " + quotedText(text, 80) + " names no valid tenant: the tenant id " +
             quotedText(tenant_id, 80) + " " + std::string(*problem) + " (tenant ids " +
             std::string(kTenantIdRule) + ")";
    }
    return Scope::tenant(std::string(tenant_id));
  }
  return "scope " + quotedText(text, 80) + " must be gateway, admin or tenant:<tenant id>";
}

std::string scopeText(const Scope& scope) {
  switch (scope.kind) {
    case Scope::Kind::gateway: return std::string(kGateway);
    case Scope::Kind::admin: return std::string(kAdmin);
    case Scope::Kind::tenant: return std::string(kTenantPrefix) + scope.tenant_id;
  }
  return std::string(kGateway);  // unreachable: every Kind is handled above
}

bool permits(const Scope& scope, Action action, std::string_view tenant_id) noexcept {
  switch (scope.kind) {
    case Scope::Kind::admin: return true;
    case Scope::Kind::gateway:
      // Listed, not "all but read_balance": an action added later is refused until granted here.
      return action == Action::decide || action == Action::quote ||
             action == Action::report_outcomes;
    case Scope::Kind::tenant:
      // An empty scope tenant never matches: a Scope built without parseScope grants nothing.
      return action == Action::read_balance && !scope.tenant_id.empty() &&
             scope.tenant_id == tenant_id;
  }
  return false;
}

std::string_view actionName(Action action) noexcept {
  switch (action) {
    case Action::decide: return "decide";
    case Action::quote: return "quote";
    case Action::report_outcomes: return "report_outcomes";
    case Action::read_balance: return "read_balance";
    case Action::read_metrics: return "read_metrics";
  }
  return "unknown";
}

}  // namespace creditgate::server
