// The admins' list of every tenant: balance, spending today, low-balance level and contacts,
// searchable and sortable on the server (links and a form, so it works without JavaScript; the
// portal's script only sorts in place), and the form that creates a tenant.
#pragma once

#include <string>
#include <vector>

#include "pages_account.hpp"
#include "portal_rows.hpp"

namespace creditgate::server {

struct TenantListRow {
  TenantRow tenant;
  std::string level;  // ok | warning | critical | depleted
};

// Sort keys the list accepts; anything else is refused by the page's caller.
bool isTenantSort(std::string_view sort);

struct TenantsInput {
  std::vector<TenantListRow> rows;  // all tenants
  std::string query;                // search text: part of a tenant id or contact
  std::string sort = "tenant";      // tenant | balance | level | currency | spent_today
  bool descending = false;
  std::string csrf;
  FormState create;  // tenant_id, currency, contact
};

// Filters and sorts `input.rows` as the page shows them (tested on its own).
std::vector<TenantListRow> tenantsShown(const TenantsInput& input);

std::string tenantsMain(const TenantsInput& input);

}  // namespace creditgate::server
