#include "portal_route.hpp"

#include "text_codec.hpp"

namespace creditgate::server {
namespace {

constexpr std::size_t kMaxTenantBytes = 64;  // the database's tenant id rule

struct Fixed {
  std::string_view path;
  PortalPage page;
  std::string_view allow;
};
constexpr Fixed kFixed[] = {{"/", PortalPage::home, "GET"},
                            {"/portal", PortalPage::home, "GET"},
                            {"/portal/", PortalPage::home, "GET"},
                            {"/portal/login", PortalPage::login, "GET, POST"},
                            {"/portal/logout", PortalPage::logout, "POST"},
                            {"/portal/tenants", PortalPage::tenants, "GET, POST"},
                            {"/portal/static/portal.css", PortalPage::stylesheet, "GET"},
                            {"/portal/static/portal.js", PortalPage::script, "GET"},
                            {"/portal/static/favicon.svg", PortalPage::favicon, "GET"},
                            {"/favicon.ico", PortalPage::favicon, "GET"}};

struct TenantPage {
  std::string_view name;
  PortalPage page;
  std::string_view allow;
};
constexpr TenantPage kTenantPages[] = {{"", PortalPage::overview, "GET"},
                                       {"ledger", PortalPage::ledger, "GET"},
                                       {"ledger.csv", PortalPage::ledger_csv, "GET"},
                                       {"batches", PortalPage::batches, "GET"},
                                       {"spend", PortalPage::spend, "GET"},
                                       {"notifications", PortalPage::notifications, "GET"},
                                       {"topup", PortalPage::top_up, "POST"},
                                       {"contacts", PortalPage::contacts, "POST"}};

PortalRoute routed(PortalPage page, std::string_view allow, std::string_view method) {
  PortalRoute route;
  route.page = page;
  const bool allowed =
      allow == method || (allow == "GET, POST" && (method == "GET" || method == "POST"));
  route.outcome =
      allowed ? PortalRoute::Outcome::matched : PortalRoute::Outcome::method_not_allowed;
  route.allow = allow;
  return route;
}

// A tenant id as the database allows it: 1..64 visible ASCII characters.
bool plausibleTenant(std::string_view id) {
  if (id.empty() || id.size() > kMaxTenantBytes) return false;
  for (const char c : id) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace

bool isPortalTarget(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/" || path == "/favicon.ico" || path == "/portal" || path.starts_with("/portal/");
}

PortalRoute matchPortalRoute(std::string_view method, std::string_view target) {
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string query =
      question == std::string_view::npos ? std::string() : std::string(target.substr(question + 1));
  for (const Fixed& fixed : kFixed) {
    if (path == fixed.path) {
      PortalRoute route = routed(fixed.page, fixed.allow, method);
      route.query = query;
      return route;
    }
  }
  constexpr std::string_view kTenantPrefix = "/portal/t/";
  if (!path.starts_with(kTenantPrefix)) return {};
  const std::string_view rest = path.substr(kTenantPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {};  // "/portal/t/acme": no page named
  const std::optional<std::string> tenant = percentDecode(rest.substr(0, slash), false);
  // Not a tenant id the database could hold: answered like an unknown tenant (404).
  if (!tenant || !plausibleTenant(*tenant)) return {};
  const std::string_view page = rest.substr(slash + 1);
  for (const TenantPage& candidate : kTenantPages) {
    if (page == candidate.name) {
      PortalRoute route = routed(candidate.page, candidate.allow, method);
      route.tenant = *tenant;
      route.query = query;
      return route;
    }
  }
  return {};
}

}  // namespace creditgate::server
