// What pricing needs to know about a tenant, read from the ledger (creditgate.tenant_profile).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "database.hpp"

namespace creditgate {

struct TenantProfile {
  std::string currency;  // ISO 4217, fixed for life
  bool auth_international_eligible = false;
  std::optional<std::string> home_market;  // the market that is not "international" for it
};

class TenantProfiles {
 public:
  explicit TenantProfiles(Database& database) : database_(database) {}

  // nullopt: no such tenant. Throws LedgerError.
  std::optional<TenantProfile> find(std::string_view tenant_id, Database::Deadline deadline);

  static std::span<const Statement> statements();

 private:
  Database& database_;
};

}  // namespace creditgate
