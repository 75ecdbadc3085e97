// The host API version. It is the minor of creditgate's version (CMakeLists.txt project(VERSION),
// generated into creditgate/version.hpp): before 1.0 a new minor is the semver mark of a breaking
// change, so a host built against 0.4's headers loads any 0.4.x plugin and refuses 0.5's (the ABI
// stamp), and find_package(creditgate 0.4) accepts 0.4.x only (SameMinorVersion).
// Whenever host_api.hpp or abi_stamp.hpp changes, bump the minor in CMakeLists.txt and record the
// new fingerprint (tests/unit/api_fingerprint_test.cpp prints it when it no longer matches).
#pragma once

#include <cstdint>

#include "creditgate/version.hpp"

namespace creditgate::api {

static_assert(CREDITGATE_VERSION_MAJOR == 0,
              "from 1.0 the API version is the major: change kApiVersion and the CMake package's "
              "version compatibility (SameMajorVersion) together");
inline constexpr std::uint32_t kApiVersion = CREDITGATE_VERSION_MINOR;

// FNV-1a 64 of host_api.hpp and abi_stamp.hpp as committed with kApiVersion. Version 3 added
// CreditGate::balance() and readiness() (for hosts that serve balances and readiness probes).
// Version 4 added CreditGate::tenantPolicy() with TenantPolicy, CategoryPolicy, CreditPolicy and
// balanceLevelOf() (for hosts that show the policy in force for a tenant, e.g. a billing portal).
inline constexpr std::uint64_t kApiFingerprint = 0xcdc30f7c09622f5aULL;

}  // namespace creditgate::api
