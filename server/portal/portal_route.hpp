// Which portal page a request names. The portal lives under /portal/ (and / redirects there); the
// billing API keeps /v1, /healthz, /readyz and /metrics. A tenant's pages are
// /portal/t/<tenant>/<page> with the tenant id percent-encoded in one segment.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace creditgate::server {

enum class PortalPage {
  home,           // GET  /  and /portal/: to the user's first page
  login,          // GET, POST /portal/login
  logout,         // POST /portal/logout
  tenants,        // GET, POST /portal/tenants (admin: the list; creating a tenant)
  overview,       // GET  /portal/t/{tenant}/
  ledger,         // GET  /portal/t/{tenant}/ledger
  ledger_csv,     // GET  /portal/t/{tenant}/ledger.csv
  batches,        // GET  /portal/t/{tenant}/batches
  spend,          // GET  /portal/t/{tenant}/spend
  notifications,  // GET  /portal/t/{tenant}/notifications
  top_up,         // POST /portal/t/{tenant}/topup (admin)
  contacts,       // POST /portal/t/{tenant}/contacts (admin)
  stylesheet,     // GET  /portal/static/portal.css
  script,         // GET  /portal/static/portal.js
  favicon,        // GET  /portal/static/favicon.svg and /favicon.ico (browsers ask for it)
};

struct PortalRoute {
  enum class Outcome { matched, not_found, method_not_allowed } outcome = Outcome::not_found;
  PortalPage page = PortalPage::home;
  std::string tenant;      // decoded, for a tenant's pages
  std::string query;       // after '?', still encoded (parseForm reads it)
  std::string_view allow;  // method_not_allowed: "GET", "POST" or "GET, POST"
};

// Whether `target` is the portal's (the billing API answers everything else).
bool isPortalTarget(std::string_view target);

PortalRoute matchPortalRoute(std::string_view method, std::string_view target);

}  // namespace creditgate::server
