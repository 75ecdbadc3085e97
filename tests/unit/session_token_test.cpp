// The portal's session token: its cookie (the attributes a browser needs to keep it from scripts
// and other sites), reading it back from a Cookie header, and the CSRF token bound to it.
#include "session_token.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace creditgate::server {
namespace {

using namespace std::chrono_literals;

TEST(SessionToken, IsFortyThreeRandomBase64UrlCharacters) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = newSessionToken();
    EXPECT_TRUE(isWellFormedSecret(token)) << token;
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
  const std::string token = newSessionToken();
  EXPECT_TRUE(sameDigest(sessionDigest(token), sessionDigest(token)));
  EXPECT_FALSE(sameDigest(sessionDigest(token), sessionDigest(newSessionToken())));
}

TEST(SessionToken, CookieIsHttpOnlyStrictAndSecureUnlessOnLoopback) {
  const std::string token = newSessionToken();
  EXPECT_EQ(sessionCookie(token, true, 3600s),
            "cg_session=" + token + "; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(sessionCookie(token, false, 60s),
            "cg_session=" + token + "; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
  EXPECT_EQ(expiredSessionCookie(true),
            "cg_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
}

TEST(SessionToken, IsReadFromACookieHeaderOnlyWhenWellFormed) {
  const std::string token = newSessionToken();
  EXPECT_EQ(sessionTokenFromCookies("cg_session=" + token), token);
  EXPECT_EQ(sessionTokenFromCookies("theme=dark; cg_session=" + token + "; lang=de"), token);
  EXPECT_EQ(sessionTokenFromCookies("theme=dark;cg_session=" + token), token);
  EXPECT_FALSE(sessionTokenFromCookies(""));
  EXPECT_FALSE(sessionTokenFromCookies("theme=dark"));
  EXPECT_FALSE(sessionTokenFromCookies("xcg_session=" + token));
  EXPECT_FALSE(sessionTokenFromCookies("cg_session=" + token.substr(1)));        // too short
  EXPECT_FALSE(sessionTokenFromCookies("cg_session=" + token + "A"));            // too long
  EXPECT_FALSE(sessionTokenFromCookies("cg_session=" + token.substr(1) + "+"));  // not base64url
  EXPECT_FALSE(sessionTokenFromCookies("cg_session="));
}

TEST(SessionToken, CsrfTokenBelongsToItsSessionOnly) {
  const std::string token = newSessionToken();
  const std::string other = newSessionToken();
  const std::string csrf = csrfToken(token);
  EXPECT_EQ(csrf, csrfToken(token));  // stable for the session's life
  EXPECT_EQ(csrf.size(), 43u);
  EXPECT_EQ(csrf.find(token), std::string::npos);
  EXPECT_TRUE(csrfMatches(token, csrf));
  EXPECT_FALSE(csrfMatches(other, csrf));
  EXPECT_FALSE(csrfMatches(token, csrfToken(other)));
  EXPECT_FALSE(csrfMatches(token, ""));
  EXPECT_FALSE(csrfMatches(token, csrf.substr(1)));
}

}  // namespace
}  // namespace creditgate::server
