// The API keys of creditgate-server, in one place: what a key looks like, how one is made and how
// its secret is compared. A key is
//
//   cg_<key_id>_<secret>      e.g. cg_3k9q0x7m2a1b_Xq1...(43 characters)
//
// key_id: 12 characters [a-z0-9], random; it names the key in the database, in creditctl and in
// logs, and is not secret. secret: 32 random bytes as unpadded base64url (43 characters
// [A-Za-z0-9_-]). The database keeps only the secret's SHA-256 digest (sql/017_api_keys.sql).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace creditgate::server {

inline constexpr std::string_view kApiKeyPrefix = "cg_";
inline constexpr std::size_t kKeyIdLength = 12;
inline constexpr std::size_t kSecretLength = 43;  // 32 bytes of base64url without padding
inline constexpr std::size_t kApiKeyLength =
    kApiKeyPrefix.size() + kKeyIdLength + 1 + kSecretLength;

using SecretDigest = std::array<unsigned char, 32>;

struct ApiKey {
  std::string key_id;
  std::string secret;
  std::string text;  // cg_<key_id>_<secret>: what the caller sends; shown once, never stored
};

struct ParsedKey {
  std::string key_id;
  std::string secret;
};

// A new key from OpenSSL's CSPRNG. Throws std::runtime_error if RAND_bytes fails (no entropy).
ApiKey generateApiKey();

// 32 random bytes from OpenSSL's CSPRNG as unpadded base64url (43 characters): an API key's
// secret, and a portal session's token (session_token.hpp). Throws like generateApiKey.
std::string randomSecret();
// True when `text` is 43 characters of [A-Za-z0-9_-], as randomSecret makes them.
bool isWellFormedSecret(std::string_view text) noexcept;
// Bytes as unpadded base64url.
std::string base64Url(std::span<const unsigned char> bytes);

// The key's parts if `text` is exactly cg_<12 x [a-z0-9]>_<43 x [A-Za-z0-9_-]>; nullopt for
// anything else (another prefix, a length off by one, a character outside its alphabet, spaces).
std::optional<ParsedKey> parseApiKey(std::string_view text) noexcept;

// True when `text` is a well-formed key id (12 characters [a-z0-9]).
bool isValidKeyId(std::string_view text) noexcept;

// SHA-256 of the secret's text. Unsalted on purpose: the secret is 256 random bits, so there is no
// dictionary to precompute and no guess worth slowing down; a salt or a slow hash (bcrypt, argon2)
// protects low-entropy passwords and would only cost every request time (GitHub's tokens are
// stored the same way). Throws std::runtime_error if OpenSSL fails.
SecretDigest secretDigest(std::string_view secret);

// Compares two digests in constant time (CRYPTO_memcmp), so the time a refusal takes says nothing
// about how much of a guessed digest matched.
bool sameDigest(const SecretDigest& a, const SecretDigest& b) noexcept;

}  // namespace creditgate::server
