// PortalSite's insides, shared by its two source files: portal_site.cpp (routing, sessions, login,
// logout, errors) and portal_pages.cpp (a tenant's pages and the admins' actions).
#pragma once

#include <chrono>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <semaphore>
#include <span>
#include <string>

#include "api_key.hpp"
#include "form.hpp"
#include "pages_account.hpp"
#include "pages_admin.hpp"
#include "portal_route.hpp"
#include "portal_rows.hpp"
#include "portal_site.hpp"
#include "portal_store.hpp"

namespace creditgate::server {

// The request's session, when it has an open one.
struct Visit {
  std::string token;  // the cookie's token (the CSRF token is derived from it)
  SecretDigest digest{};
  PortalUser user;
  std::string csrf;
};

// A request refused with a page: thrown by the steps below, turned into the response in one place.
struct PageRefusal {
  int status;
  std::string title;
  std::string message;
};

struct PortalSite::Impl {
  Impl(PortalStore& s, api::CreditGate& g, PortalSettings p);

  Response route(const Request& request);

  // portal_site.cpp
  std::optional<Visit> visit(const Request& request);
  Response login(const Request& request, const PortalRoute& route);
  Response loginForm(int status, const std::string& email, const std::string& error,
                     const std::string& notice);
  Response logout(const Visit& visit, const FormFields& form);
  Response home(const Visit& visit);
  Response noSession(const Request& request, bool had_token);

  // portal_pages.cpp
  // A tenant's account, or the 404 a session gets for a tenant it may not see.
  std::optional<AccountView> accountOrNotFound(const Visit& visit, const std::string& tenant);
  Response tenantPage(const Visit& visit, const PortalRoute& route);
  // A tenant page's form (top-up, contacts), already read and CSRF-checked by route().
  Response tenantForm(const Visit& visit, const PortalRoute& route, const FormFields& form);
  Response overview(const Visit& visit, const AccountView& account, const FormFields& query,
                    int status, FormState top_up, FormState contacts, std::string notice);
  Response ledger(const Visit& visit, const AccountView& account, const FormFields& query);
  Response ledgerCsv(const Visit& visit, const AccountView& account, const FormFields& query);
  Response batches(const Visit& visit, const AccountView& account, const FormFields& query);
  Response spend(const Visit& visit, const AccountView& account, const FormFields& query);
  Response notifications(const Visit& visit, const AccountView& account, const FormFields& query);
  Response topUp(const Visit& visit, const AccountView& account, const FormFields& form);
  Response setContacts(const Visit& visit, const AccountView& account, const FormFields& form);
  Response tenants(const Visit& visit, const FormFields& query, int status, FormState create);
  Response createTenant(const Visit& visit, const FormFields& form);

  // A complete page in the frame, for this visit.
  Response page(int status, const Visit& visit, const std::string& title, const std::string& tenant,
                const std::string& tab, const std::string& main, const std::string& notice = "",
                const std::string& error = "");

  PortalStore& store;
  api::CreditGate& gate;
  const PortalSettings settings;
  const std::string dummy_hash;           // checked for unknown emails, so a login takes as long
  std::counting_semaphore<2> hashing{2};  // Argon2id takes 64 MiB each: at most two at once

  // Logs an outage's cause, at most once every 10 s (a page load may make several reads).
  void noteOutage(const std::string& cause);
  std::mutex outage_mutex;
  std::chrono::steady_clock::time_point last_outage_log{};
};

// Response helpers (portal_site.cpp).
Response htmlResponse(int status, std::string body);
Response redirectTo(const std::string& location);

// The query string's or form's fields, or a 400 naming the field.
FormFields readFields(std::string_view encoded, std::span<const std::string_view> names);
inline FormFields readFields(std::string_view encoded,
                             std::initializer_list<std::string_view> names) {
  return readFields(encoded, std::span<const std::string_view>(names.begin(), names.size()));
}

}  // namespace creditgate::server
