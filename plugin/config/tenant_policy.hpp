// The host API's TenantPolicy from the live config: one tenant's insufficient-credit policy per
// category, its low-balance thresholds and the ledger-unavailable policy, each resolved as a
// decision resolves it (LiveSettings::policyFor, alertsFor). balance()'s level is
// api::balanceLevelOf of this, so a host that shows the thresholds and the level never sees them
// disagree, and the comparison is the ledger's notifications' (note_balance_fall,
// sql/009_notifications.sql): a host never shows "ok" for a balance the ledger has sent a
// low_balance event about.
#pragma once

#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "creditgate/host_api.hpp"

namespace creditgate {

// found false (invalid_tenant_id, detail naming the value) for an id that breaks the tenant id
// rule; any valid id gets the config's policy. `generation` is the generation of `live`.
api::TenantPolicy tenantPolicyFor(const LiveSettings& live, std::string_view tenant_id,
                                  std::uint64_t generation);

}  // namespace creditgate
