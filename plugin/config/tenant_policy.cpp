#include "tenant_policy.hpp"

#include <algorithm>
#include <cstring>

#include "category.hpp"
#include "tenant_id.hpp"

namespace creditgate {
namespace {

static_assert(kCategoryCount <= api::kMaxCategories, "TenantPolicy has no room for a category");

template <std::size_t N>
void copyText(char (&out)[N], std::string_view text) {
  const std::size_t n = std::min(text.size(), N - 1);
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

// A switch, not a cast: a policy added to the config without its host API value does not build
// (-Wswitch).
api::CreditPolicy apiPolicy(InsufficientCreditPolicy policy) {
  switch (policy) {
    case InsufficientCreditPolicy::block: return api::CreditPolicy::block;
    case InsufficientCreditPolicy::flag: return api::CreditPolicy::flag;
    case InsufficientCreditPolicy::partial: return api::CreditPolicy::partial;
  }
  return api::CreditPolicy::block;
}

std::string_view ledgerUnavailableName(LedgerUnavailablePolicy policy) {
  switch (policy) {
    case LedgerUnavailablePolicy::block: return "block";
    case LedgerUnavailablePolicy::allow_flagged: return "allow_flagged";
  }
  return "block";
}

}  // namespace

api::TenantPolicy tenantPolicyFor(const LiveSettings& live, std::string_view tenant_id,
                                  std::uint64_t generation) {
  api::TenantPolicy answer;
  answer.config_generation = generation;
  if (auto invalid = invalidTenantIdDetail(tenant_id)) {
    answer.reason = api::Reason::invalid_tenant_id;
    copyText(answer.detail, *invalid);
    return answer;
  }
  answer.found = true;
  answer.reason = api::Reason::ok;
  for (const Category category : kAllCategories) {
    const EffectivePolicy policy = live.policyFor(tenant_id, category);
    api::CategoryPolicy& out = answer.categories[answer.category_count++];
    copyText(out.category, categoryName(category));
    out.on_insufficient_credit = apiPolicy(policy.on_insufficient_credit);
    out.overdraft_limit_micros = policy.overdraft_limit_micros;
  }
  const AlertThresholds alerts = live.alertsFor(tenant_id);
  answer.warning_threshold_set = alerts.warning_micros.has_value();
  answer.warning_threshold_micros = alerts.warning_micros.value_or(0);
  answer.critical_threshold_set = alerts.critical_micros.has_value();
  answer.critical_threshold_micros = alerts.critical_micros.value_or(0);
  copyText(answer.ledger_unavailable_policy, ledgerUnavailableName(live.on_ledger_unavailable));
  answer.ledger_unavailable_cap_micros = live.ledger_unavailable_cap_micros;
  return answer;
}

}  // namespace creditgate
