#include "pages_login.hpp"

#include "html.hpp"
#include "page_frame.hpp"

namespace creditgate::server {

std::string loginPage(const LoginInput& input) {
  PageFrame frame;
  frame.title = "Log in to the billing portal";
  frame.error = input.error;
  frame.notice = input.notice;
  return renderPage(
      frame,
      "<form method=\"post\" action=\"/portal/login\" class=\"card narrow\">" +
          csrfField(input.csrf) +
          "<p class=\"field\"><label for=\"email\">Email</label><input type=\"email\" id=\"email\" "
          "name=\"email\" autocomplete=\"username\" required value=\"" +
          escapeHtml(input.email) + "\"" + (input.email.empty() ? " autofocus" : "") +
          "></p><p class=\"field\"><label for=\"password\">Password</label><input "
          "type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" "
          "required" +
          (input.email.empty() ? "" : " autofocus") +
          "></p><p><button type=\"submit\">Log in</button></p></form>"
          "<p class=\"hint\">Your admin creates accounts and resets passwords.</p>");
}

std::string messagePage(const std::string& title, const std::string& message,
                        const std::string& link_href, const std::string& link_text) {
  PageFrame frame;
  frame.title = title;
  return renderPage(frame, "<p>" + escapeHtml(message) + "</p><p><a href=\"" +
                               escapeHtml(link_href) + "\">" + escapeHtml(link_text) + "</a></p>");
}

}  // namespace creditgate::server
