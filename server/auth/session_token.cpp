#include "session_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

namespace creditgate::server {
namespace {

// Versioned, so that a later change of the derivation cannot accept a token of the old one.
constexpr std::string_view kCsrfContext = "creditgate portal csrf v1";

std::string cookie(std::string_view name, std::string_view token, std::string_view path,
                   bool secure, std::chrono::seconds max_age) {
  return std::string(name) + "=" + std::string(token) + "; Path=" + std::string(path) +
         "; Max-Age=" + std::to_string(max_age.count()) + "; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

// RFC 6265: "name=value" pairs separated by "; ". The first pair of that name decides: a browser
// sends the most specific path first, and each of ours has one path only.
std::optional<std::string> tokenFromCookies(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    const std::size_t end = cookie_header.find(';');
    std::string_view pair = cookie_header.substr(0, end);
    cookie_header =
        end == std::string_view::npos ? std::string_view() : cookie_header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    while (!pair.empty() && pair.back() == ' ') pair.remove_suffix(1);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos || pair.substr(0, equals) != name) continue;
    const std::string_view value = pair.substr(equals + 1);
    if (!isWellFormedSecret(value)) return std::nullopt;
    return std::string(value);
  }
  return std::nullopt;
}

}  // namespace

std::string newSessionToken() {
  return randomSecret();
}

SecretDigest sessionDigest(std::string_view token) {
  return secretDigest(token);
}

std::string sessionCookie(std::string_view token, bool secure, std::chrono::seconds max_age) {
  return cookie(kSessionCookieName, token, "/", secure, max_age);
}

std::string expiredSessionCookie(bool secure) {
  return cookie(kSessionCookieName, "", "/", secure, std::chrono::seconds(0));
}

std::optional<std::string> sessionTokenFromCookies(std::string_view cookie_header) {
  return tokenFromCookies(cookie_header, kSessionCookieName);
}

std::string loginCookie(std::string_view token, bool secure) {
  return cookie(kLoginCookieName, token, "/portal/login", secure, std::chrono::hours(1));
}

std::string expiredLoginCookie(bool secure) {
  return cookie(kLoginCookieName, "", "/portal/login", secure, std::chrono::seconds(0));
}

std::optional<std::string> loginTokenFromCookies(std::string_view cookie_header) {
  return tokenFromCookies(cookie_header, kLoginCookieName);
}

std::string csrfToken(std::string_view session_token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), session_token.data(), static_cast<int>(session_token.size()),
           reinterpret_cast<const unsigned char*>(kCsrfContext.data()), kCsrfContext.size(),
           mac.data(), &size) == nullptr) {
    throw std::runtime_error("cannot make a CSRF token: OpenSSL's HMAC failed");
  }
  return base64Url(std::span<const unsigned char>(mac.data(), size));
}

bool csrfMatches(std::string_view session_token, std::string_view given) {
  const std::string expected = csrfToken(session_token);
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace creditgate::server
