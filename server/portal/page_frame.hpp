// The frame every portal page shares: the document head (with the portal's own stylesheet and
// script, nothing from elsewhere, so the page works offline), a skip link, the header with who is
// logged in and the logout forms, the tenant's tabs, the status or error message, and <main>.
#pragma once

#include <string>
#include <string_view>

#include "portal_rows.hpp"

namespace creditgate::server {

struct PageFrame {
  std::string title;                 // <title> and <h1>
  const PortalUser* user = nullptr;  // null: not logged in (login and error pages)
  std::string csrf;                  // the session's CSRF token, for the logout forms
  std::string tenant;                // set on a tenant's pages: its tabs are shown
  std::string active_tab;  // overview | ledger | batches | spend | notifications | tenants
  std::string notice;      // a result to announce ("Top-up recorded")
  std::string error;       // what went wrong, announced as an alert
};

std::string renderPage(const PageFrame& frame, std::string_view main_html);

// "/portal/t/<tenant>/<tab>", the tenant id percent-encoded.
std::string tenantPath(std::string_view tenant, std::string_view tab = "");

// A <time> for an ISO 8601 UTC instant ("2026-11-30T08:46:18Z"), shown as "2026-11-30 08:46:18".
std::string timeHtml(std::string_view iso);

// <input type="hidden" name="csrf" ...>: every form that changes something carries one.
std::string csrfField(std::string_view csrf);

}  // namespace creditgate::server
