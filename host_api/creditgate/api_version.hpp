// The host API version. Bump kApiVersion whenever host_api.hpp or abi_stamp.hpp changes, and record
// the new fingerprint (tests/unit/api_fingerprint_test.cpp prints it when it no longer matches).
#pragma once

#include <cstdint>

namespace creditgate::api {

inline constexpr std::uint32_t kApiVersion = 4;

// FNV-1a 64 of host_api.hpp and abi_stamp.hpp as committed with kApiVersion. Version 3 added
// CreditGate::balance() and readiness() (for hosts that serve balances and readiness probes).
// Version 4 added CreditGate::tenantPolicy() with TenantPolicy, CategoryPolicy, CreditPolicy and
// balanceLevelOf() (for hosts that show the policy in force for a tenant, e.g. a billing portal).
inline constexpr std::uint64_t kApiFingerprint = 0xcdc30f7c09622f5aULL;

}  // namespace creditgate::api
