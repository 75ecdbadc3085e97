// The billing portal's request handling: one request for a /portal page in, one response out.
// Per request: which page, whose session (the cg_session cookie, looked up by its digest), the CSRF
// token of a form, then the portal database's reads or an admin's write, and the page. Runs on the
// server's worker threads (every call may wait on PostgreSQL, and a login on Argon2id). Nothing
// here touches a socket, as in BillingApi.
//
// What a session may see is the database's rule (sql/020-021): another tenant's page answers 404,
// exactly like a tenant that does not exist.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "creditgate/host_api.hpp"
#include "http_types.hpp"

namespace creditgate::server {

class PortalStore;

struct PortalSettings {
  std::chrono::seconds session_idle{30 * 60};
  std::chrono::seconds session_absolute{12 * 3600};
  int login_failures_allowed = 5;
  std::chrono::seconds login_window{15 * 60};
  // Cookies carry Secure unless the server listens on loopback without TLS (a browser on the same
  // machine over plain HTTP would otherwise never send them back).
  bool secure_cookies = true;
  // The server's log (warnings): an unreachable database (at most every 10 s) and login limits
  // reached. Never an email, a password or a token.
  std::function<void(const std::string&)> warn = [](const std::string&) {};
};

class PortalSite {
 public:
  PortalSite(PortalStore& store, api::CreditGate& gate, PortalSettings settings);
  ~PortalSite();
  PortalSite(const PortalSite&) = delete;
  PortalSite& operator=(const PortalSite&) = delete;

  // For a target isPortalTarget() accepts.
  Response handle(const Request& request);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace creditgate::server
