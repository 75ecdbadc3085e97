// What a tenant id may be, in one place for the plugin's batches and reports, its config and
// creditctl: 1 to 64 printable ASCII characters without spaces, as the tenant table's CHECK allows
// (sql/002_ledger_tables.sql). Ids end up in logs and metric labels; the rule keeps them readable.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace creditgate {

inline constexpr std::size_t kMaxTenantIdLength = 64;
inline constexpr std::string_view kTenantIdRule =
    "must be 1 to 64 printable ASCII characters without spaces";

// nullopt for a valid id; otherwise what is wrong with it, worded to follow the quoted id:
// "is empty", "is longer than 64 bytes", "has a space or non-printable character".
std::optional<std::string_view> tenantIdProblem(std::string_view id) noexcept;
inline bool isValidTenantId(std::string_view id) noexcept {
  return !tenantIdProblem(id);
}

// The one wording of an id the ledger does not know, for decisions, quotes and reports alike.
std::string unknownTenantDetail(std::string_view id);

// The one wording of an id that breaks the rule, naming the value ("tenant_id is empty",
// "tenant_id: 'a b' has a space or non-printable character"); nullopt for a valid id.
std::optional<std::string> invalidTenantIdDetail(std::string_view id);

}  // namespace creditgate
