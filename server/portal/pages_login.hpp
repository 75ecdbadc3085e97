// The pages a visitor sees without a session: the login form, and the short pages that say why a
// request was not answered (not found, refused, expired, unavailable).
#pragma once

#include <string>

namespace creditgate::server {

struct LoginInput {
  std::string email;  // as typed, kept on a failed attempt
  std::string csrf;   // bound to the login cookie
  std::string error;
  std::string notice;  // "You are logged out."
};

// A complete page.
std::string loginPage(const LoginInput& input);

// A complete page with a title, a sentence and a link onward (escaped here).
std::string messagePage(const std::string& title, const std::string& message,
                        const std::string& link_href, const std::string& link_text);

}  // namespace creditgate::server
