#include "portal_site.hpp"

#include <vector>

#include "html.hpp"
#include "page_frame.hpp"
#include "pages_login.hpp"
#include "password.hpp"
#include "portal_assets.hpp"
#include "portal_site_impl.hpp"
#include "session_token.hpp"

namespace creditgate::server {
namespace {

// No script, style, frame or form target but the portal's own (the pages have no inline script or
// style, and SVG's presentation attributes need none).
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void addPageHeaders(Response& response) {
  response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
}

bool isFormBody(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return content_type == "application/x-www-form-urlencoded";
}

Response asset(std::string_view body, const char* content_type) {
  Response response{200, content_type, std::string(body), {}};
  response.headers.emplace_back("Cache-Control", "public, max-age=300");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

// The fields of each page's form (parseForm refuses any other).
constexpr std::string_view kLogoutFields[] = {"csrf", "everywhere"};
constexpr std::string_view kCreateTenantFields[] = {"csrf", "tenant_id", "currency", "contact"};
constexpr std::string_view kTopUpFields[] = {"csrf", "amount", "reference", "note"};
constexpr std::string_view kContactsFields[] = {"csrf", "contacts"};
constexpr std::string_view kCsrfOnly[] = {"csrf"};

std::span<const std::string_view> formFieldsOf(PortalPage page) {
  switch (page) {
    case PortalPage::logout: return kLogoutFields;
    case PortalPage::tenants: return kCreateTenantFields;
    case PortalPage::top_up: return kTopUpFields;
    case PortalPage::contacts: return kContactsFields;
    default: return kCsrfOnly;
  }
}

}  // namespace

Response htmlResponse(int status, std::string body) {
  Response response{status, "text/html; charset=utf-8", std::move(body), {}};
  addPageHeaders(response);
  return response;
}

Response redirectTo(const std::string& location) {
  Response response{303, "text/html; charset=utf-8", "", {}};
  response.headers.emplace_back("Location", location);
  addPageHeaders(response);
  return response;
}

FormFields readFields(std::string_view encoded, std::span<const std::string_view> names) {
  auto parsed = parseForm(encoded, names);
  if (auto* refusal = std::get_if<FormRefusal>(&parsed)) {
    throw PageRefusal{400, "Bad request",
                      refusal->field.empty() || refusal->message.starts_with("this form")
                          ? refusal->message
                          : refusal->field + " " + refusal->message};
  }
  return std::get<FormFields>(std::move(parsed));
}

PortalSite::Impl::Impl(PortalStore& s, api::CreditGate& g, PortalSettings p)
    : store(s), gate(g), settings(p), dummy_hash(hashPassword(generatePassword())) {}

PortalSite::PortalSite(PortalStore& store, api::CreditGate& gate, PortalSettings settings)
    : impl_(std::make_unique<Impl>(store, gate, settings)) {}
PortalSite::~PortalSite() = default;

Response PortalSite::handle(const Request& request) {
  try {
    return impl_->route(request);
  } catch (const PageRefusal& refusal) {
    return htmlResponse(refusal.status, messagePage(refusal.title, refusal.message, "/portal/",
                                                    "Back to the portal"));
  } catch (const PortalUnavailable& e) {
    // The cause goes to the server's log (PortalStore keeps no secret in it), not to the page.
    impl_->noteOutage(e.what());
    // A form's change may have been committed just before the answer was lost: say so. (The form
    // shown again has a fresh reference, so resending blindly could add a top-up twice.)
    const bool form = request.method == "POST";
    Response response = htmlResponse(
        503, messagePage("Try again in a moment",
                         form ? "The billing database did not answer, so it is not known whether "
                                "this form was saved. Check the account's ledger (or contacts) "
                                "before you send it again."
                              : "The billing database is not answering right now. Nothing was "
                                "changed; reload the page in a few seconds.",
                         "/portal/", "Back to the portal"));
    response.headers.emplace_back("Retry-After", "5");
    return response;
  }
}

void PortalSite::Impl::noteOutage(const std::string& cause) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(outage_mutex);
    if (now - last_outage_log < std::chrono::seconds(10)) return;
    last_outage_log = now;
  }
  settings.warn("billing portal: pages answer 503: " + cause);
}

Response PortalSite::Impl::route(const Request& request) {
  const PortalRoute route = matchPortalRoute(request.method, request.target);
  if (route.outcome == PortalRoute::Outcome::not_found) {
    throw PageRefusal{404, "Not found", "There is no such page."};
  }
  if (route.outcome == PortalRoute::Outcome::method_not_allowed) {
    Response response = htmlResponse(
        405, messagePage("Method not allowed",
                         request.method + " is not allowed here; use " + std::string(route.allow),
                         "/portal/", "Back to the portal"));
    response.headers.emplace_back("Allow", std::string(route.allow));
    return response;
  }
  if (route.page == PortalPage::stylesheet) return asset(portalCss(), "text/css; charset=utf-8");
  if (route.page == PortalPage::script) return asset(portalJs(), "text/javascript; charset=utf-8");
  if (route.page == PortalPage::favicon) return asset(portalFavicon(), "image/svg+xml");
  if (route.page == PortalPage::login) return login(request, route);

  const std::optional<Visit> current = visit(request);
  if (!current) return noSession(request, sessionTokenFromCookies(request.cookie).has_value());
  if (request.method == "POST") {
    if (!isFormBody(request.content_type)) {
      throw PageRefusal{415, "Not a form",
                        "Send the page's form (application/x-www-form-urlencoded)."};
    }
    const FormFields form = readFields(request.body, formFieldsOf(route.page));
    const auto csrf = form.find("csrf");
    if (csrf == form.end() || !csrfMatches(current->token, csrf->second)) {
      throw PageRefusal{403, "Form refused",
                        "This form did not come from your current session (CSRF check failed). "
                        "Nothing was changed: reload the page and send it again."};
    }
    if (route.page == PortalPage::logout) return logout(*current, form);
    if (route.page == PortalPage::tenants) return createTenant(*current, form);
    return tenantForm(*current, route, form);
  }
  if (route.page == PortalPage::home) return home(*current);
  if (route.page == PortalPage::tenants) {
    return tenants(*current, readFields(route.query, {"q", "sort", "order"}), 200, {});
  }
  return tenantPage(*current, route);
}

std::optional<Visit> PortalSite::Impl::visit(const Request& request) {
  const std::optional<std::string> token = sessionTokenFromCookies(request.cookie);
  if (!token) return std::nullopt;
  Visit v;
  v.token = *token;
  v.digest = sessionDigest(*token);
  std::optional<PortalUser> user = store.sessionUser(v.digest, settings.session_idle);
  if (!user) return std::nullopt;
  v.user = std::move(*user);
  v.csrf = csrfToken(*token);
  return v;
}

Response PortalSite::Impl::noSession(const Request& request, bool had_token) {
  Response response;
  if (request.method == "POST") {
    // Nothing is done for a form whose session ended: the user logs in and sends it again.
    response = htmlResponse(
        401, messagePage("Your session has ended",
                         "You were logged out (or your session expired), so nothing was changed. "
                         "Log in and send the form again.",
                         "/portal/login", "Log in"));
  } else {
    response = redirectTo(had_token ? "/portal/login?ended=1" : "/portal/login");
  }
  if (had_token) {
    response.headers.emplace_back("Set-Cookie", expiredSessionCookie(settings.secure_cookies));
  }
  return response;
}

Response PortalSite::Impl::home(const Visit& visit) {
  if (visit.user.isAdmin()) return redirectTo("/portal/tenants");
  return redirectTo(tenantPath(visit.user.tenant()));
}

Response PortalSite::Impl::loginForm(int status, const std::string& email, const std::string& error,
                                     const std::string& notice) {
  // A fresh login token each time the form is shown: its CSRF token is bound to it.
  const std::string login_token = newSessionToken();
  Response response =
      htmlResponse(status, loginPage(LoginInput{email, csrfToken(login_token), error, notice}));
  response.headers.emplace_back("Set-Cookie", loginCookie(login_token, settings.secure_cookies));
  return response;
}

Response PortalSite::Impl::login(const Request& request, const PortalRoute& route) {
  if (request.method == "GET") {
    if (visit(request)) return redirectTo("/portal/");
    const FormFields query = readFields(route.query, {"ended", "out"});
    std::string notice;
    if (query.contains("ended")) notice = "Your session ended. Log in again.";
    if (query.contains("out")) {
      notice =
          query.at("out") == "all" ? "You are logged out on every device." : "You are logged out.";
    }
    return loginForm(200, "", "", notice);
  }
  if (!isFormBody(request.content_type)) {
    throw PageRefusal{415, "Not a form",
                      "Send the login form (application/x-www-form-urlencoded)."};
  }
  const FormFields form = readFields(request.body, {"csrf", "email", "password"});
  const auto field = [&form](const char* name) {
    const auto found = form.find(name);
    return found == form.end() ? std::string() : found->second;
  };
  std::string email = field("email");
  while (!email.empty() && email.back() == ' ') email.pop_back();
  while (!email.empty() && email.front() == ' ') email.erase(0, 1);
  const std::optional<std::string> login_token = loginTokenFromCookies(request.cookie);
  if (!login_token || !csrfMatches(*login_token, field("csrf"))) {
    return loginForm(403, email,
                     "The login form expired or did not come from this portal. Try again.", "");
  }
  if (email.empty() || email.size() > 254 || field("password").empty()) {
    return loginForm(422, email, "Enter your email and your password.", "");
  }
  const LoginLookup found = store.loginLookup(email, settings.login_window);
  if (found.recent_failures >= settings.login_failures_allowed) {
    // Not even checked: a guesser learns nothing more until the window has passed.
    const auto minutes = std::to_string((settings.login_window.count() + 59) / 60);
    Response response =
        loginForm(429, email,
                  "Too many wrong passwords for this email. Wait " + minutes +
                      " minutes, or ask an admin to reset the password (creditctl user reset).",
                  "");
    response.headers.emplace_back("Retry-After", std::to_string(settings.login_window.count()));
    return response;
  }
  bool matches = false;
  {
    hashing.acquire();
    // An unknown email is checked against a dummy hash: it takes as long as a known one.
    matches = passwordMatches(found.password_hash.value_or(dummy_hash), field("password")) &&
              found.password_hash.has_value();
    hashing.release();
  }
  std::optional<std::string> role;
  const std::string token = newSessionToken();
  if (matches) {
    role = store.startSession(email, sessionDigest(token), settings.session_idle,
                              settings.session_absolute);
  }
  if (!role) {
    store.loginFailed(email);
    return loginForm(401, email, "Wrong email or password.", "");
  }
  Response response = redirectTo("/portal/");
  response.headers.emplace_back(
      "Set-Cookie", sessionCookie(token, settings.secure_cookies, settings.session_absolute));
  response.headers.emplace_back("Set-Cookie", expiredLoginCookie(settings.secure_cookies));
  return response;
}

Response PortalSite::Impl::logout(const Visit& visit, const FormFields& form) {
  const bool everywhere = form.contains("everywhere");
  if (everywhere) {
    store.endAllSessions(visit.digest);
  } else {
    store.endSession(visit.digest);
  }
  Response response = redirectTo(everywhere ? "/portal/login?out=all" : "/portal/login?out=1");
  response.headers.emplace_back("Set-Cookie", expiredSessionCookie(settings.secure_cookies));
  // The browser's Back button must not show the pages of the session just ended from its
  // back/forward cache (Cache-Control: no-store alone does not stop Chromium's).
  response.headers.emplace_back("Clear-Site-Data", "\"cache\"");
  return response;
}

Response PortalSite::Impl::page(int status, const Visit& visit, const std::string& title,
                                const std::string& tenant, const std::string& tab,
                                const std::string& main, const std::string& notice,
                                const std::string& error) {
  PageFrame frame;
  frame.title = title;
  frame.user = &visit.user;
  frame.csrf = visit.csrf;
  frame.tenant = tenant;
  frame.active_tab = tab;
  frame.notice = notice;
  frame.error = error;
  return htmlResponse(status, renderPage(frame, main));
}

}  // namespace creditgate::server
