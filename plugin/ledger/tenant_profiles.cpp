#include "tenant_profiles.hpp"

#include <pqxx/pqxx>

#include "pg_field.hpp"

namespace creditgate {
namespace {

constexpr Statement kTenantProfile{"tenant_profile",
                                   "SELECT currency, auth_international_eligible, home_market"
                                   " FROM creditgate.tenant_profile($1)"};
constexpr Statement kStatements[] = {kTenantProfile};

}  // namespace

std::span<const Statement> TenantProfiles::statements() {
  return kStatements;
}

std::optional<TenantProfile> TenantProfiles::find(std::string_view tenant_id,
                                                  Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline,
                           [&](pqxx::connection& connection) -> std::optional<TenantProfile> {
                             pqxx::nontransaction txn(connection);
                             const pqxx::result rows =
                                 database_.exec(txn, kTenantProfile, bindableText(tenant_id));
                             if (rows.empty()) return std::nullopt;
                             TenantProfile profile;
                             profile.currency = rows[0][0].as<std::string>();
                             profile.auth_international_eligible = rows[0][1].as<bool>();
                             profile.home_market = optionalField<std::string>(rows[0][2]);
                             return profile;
                           });
}

}  // namespace creditgate
