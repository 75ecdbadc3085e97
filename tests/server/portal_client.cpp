#include "portal_client.hpp"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <regex>

#include "creditctl_runner.hpp"
#include "html.hpp"

namespace creditgate::testing {

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  // urlEncode (server/portal/html.hpp) encodes all but the unreserved characters, as browsers do.
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += name + "=" + server::urlEncode(value);
  }
  return out;
}

std::optional<std::string> cookieSet(const HttpReply& reply, const std::string& name) {
  const std::string all = reply.header("set-cookie");  // one line per Set-Cookie header
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    const std::string line = all.substr(start, end - start);
    if (line.rfind(name + "=", 0) == 0) {
      return line.substr(name.size() + 1, line.find(';') - name.size() - 1);
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string csrfIn(const std::string& html) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("name=\"csrf\" value=\"([^\"]+)\""))) return "";
  return m[1];
}

HttpReply portalCall(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& cookie, const std::string& form) {
  HttpConnection connection(port);
  std::vector<std::pair<std::string, std::string>> headers;
  if (!cookie.empty()) headers.emplace_back("Cookie", cookie);
  if (method == "POST") headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return connection.request(method, target, form, headers);
}

std::string portalLogin(unsigned short port, const std::string& email, const std::string& password,
                        HttpReply* last) {
  const HttpReply form = portalCall(port, "GET", "/portal/login", "");
  const std::string login_cookie = "cg_login=" + cookieSet(form, "cg_login").value_or("");
  const HttpReply reply = portalCall(
      port, "POST", "/portal/login", login_cookie,
      formEncode({{"csrf", csrfIn(form.body)}, {"email", email}, {"password", password}}));
  if (last) *last = reply;
  const auto session = cookieSet(reply, "cg_session");
  return session && !session->empty() ? "cg_session=" + *session : "";
}

std::string addPortalUser(const std::string& admin_dsn, const std::string& email,
                          const std::string& role) {
  const CtlResult r = runCreditctl({"user", "add", email, "--role", role, "--json"}, admin_dsn);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return "";
  return std::string(boost::json::parse(r.out).as_object().at("password").as_string());
}

}  // namespace creditgate::testing
