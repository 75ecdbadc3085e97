// The billing portal's session token, in one place: how it is made, carried in its cookie, kept in
// the database (sql/019: its SHA-256 digest only) and bound to the CSRF token of every form.
//
// A token is 32 random bytes as unpadded base64url (43 characters), like an API key's secret; the
// cookie is `cg_session=<token>; Path=/; HttpOnly; SameSite=Strict` plus `Secure` (which only a
// loopback listener may leave out, for a browser on the same machine over plain HTTP).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "api_key.hpp"

namespace creditgate::server {

inline constexpr std::string_view kSessionCookieName = "cg_session";

// A new token (OpenSSL's CSPRNG). Throws std::runtime_error if RAND_bytes fails.
std::string newSessionToken();

// What the database keeps of a token. Unsalted SHA-256, as for API keys: 256 random bits.
SecretDigest sessionDigest(std::string_view token);

// The Set-Cookie value that hands `token` to the browser for `max_age`, and the one that removes
// it.
std::string sessionCookie(std::string_view token, bool secure, std::chrono::seconds max_age);
std::string expiredSessionCookie(bool secure);

// The well-formed session token in a Cookie header ("a=1; cg_session=...; b=2"), if any; a
// malformed one (another length, another alphabet) is no token.
std::optional<std::string> sessionTokenFromCookies(std::string_view cookie_header);

// The login form's own cookie, `cg_login` (Path=/portal/login, an hour): before there is a session,
// it is what the login form's CSRF token is bound to, so another site cannot log a browser in to an
// account of its choosing (login CSRF). Same token format as a session's.
inline constexpr std::string_view kLoginCookieName = "cg_login";
std::string loginCookie(std::string_view token, bool secure);
std::string expiredLoginCookie(bool secure);
std::optional<std::string> loginTokenFromCookies(std::string_view cookie_header);

// The CSRF token of a session's forms: HMAC-SHA256 keyed by the session token, base64url. Bound to
// the session (a form from another session does not pass), stateless (nothing more to store), and
// says nothing about the token itself.
std::string csrfToken(std::string_view session_token);
// Whether `given` is the CSRF token of `session_token` (compared in constant time).
bool csrfMatches(std::string_view session_token, std::string_view given);

}  // namespace creditgate::server
