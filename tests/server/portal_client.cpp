#include "portal_client.hpp"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <regex>

#include "creditctl_runner.hpp"

namespace creditgate::testing {

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += name + "=";
    for (const char c : value) {
      const auto byte = static_cast<unsigned char>(c);
      if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
        out += c;
      } else {
        out += '%';
        out += kDigits[byte >> 4];
        out += kDigits[byte & 15];
      }
    }
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

std::string addPortalUser(const std::string& admin_dsn, const std::string& email,
                          const std::string& role) {
  const CtlResult r = runCreditctl({"user", "add", email, "--role", role, "--json"}, admin_dsn);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return "";
  return std::string(boost::json::parse(r.out).as_object().at("password").as_string());
}

}  // namespace creditgate::testing
