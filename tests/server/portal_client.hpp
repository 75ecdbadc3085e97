// Test support: speaking to the billing portal as a browser does without one (form bodies, the
// cookies a reply sets, the CSRF token a page carries), and portal users made with creditctl.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http_client.hpp"

namespace creditgate::testing {

// application/x-www-form-urlencoded, as a browser encodes a form.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

// The value a reply's Set-Cookie gives `name` ("" for a removal), or nullopt when it sets none.
std::optional<std::string> cookieSet(const HttpReply& reply, const std::string& name);

// The first CSRF token in a page's forms ("" when it has none).
std::string csrfIn(const std::string& html);

// One request as a browser sends it, on a fresh connection: the Cookie header ("" for none) and,
// for a POST, the form body.
HttpReply portalCall(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& cookie, const std::string& form = "");

// Logs in as a browser does (the login form, its cg_login cookie and CSRF token, the POST): the
// session's Cookie header value ("" when refused); `last`, if given, gets the login's answer.
std::string portalLogin(unsigned short port, const std::string& email, const std::string& password,
                        HttpReply* last = nullptr);

// `creditctl user add EMAIL --role ROLE --json` as the admin login `admin_dsn`: the password.
std::string addPortalUser(const std::string& admin_dsn, const std::string& email,
                          const std::string& role);

}  // namespace creditgate::testing
