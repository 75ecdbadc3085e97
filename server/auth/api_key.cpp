#include "api_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace creditgate::server {
namespace {

constexpr std::string_view kKeyIdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t kSecretBytes = 32;

void randomBytes(unsigned char* out, std::size_t count) {
  if (RAND_bytes(out, static_cast<int>(count)) != 1) {
    throw std::runtime_error("cannot make a secret: OpenSSL's RAND_bytes failed");
  }
}

// 12 characters of [a-z0-9], each uniform: bytes of 252 and above are drawn again, since 256 is no
// multiple of 36 and `byte % 36` would favour the first 4 characters.
std::string randomKeyId() {
  constexpr unsigned kUnbiasedLimit = 256 - 256 % kKeyIdAlphabet.size();  // 252
  std::string id;
  while (id.size() < kKeyIdLength) {
    std::array<unsigned char, 32> bytes{};
    randomBytes(bytes.data(), bytes.size());
    for (const unsigned char byte : bytes) {
      if (byte < kUnbiasedLimit && id.size() < kKeyIdLength) {
        id += kKeyIdAlphabet[byte % kKeyIdAlphabet.size()];
      }
    }
  }
  return id;
}

std::string base64UrlWithoutPadding(const unsigned char* data, std::size_t size) {
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const unsigned group = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kBase64Url[(group >> 18) & 63];
    out += kBase64Url[(group >> 12) & 63];
    out += kBase64Url[(group >> 6) & 63];
    out += kBase64Url[group & 63];
  }
  if (size - i == 1) {
    const unsigned group = data[i] << 16;
    out += kBase64Url[(group >> 18) & 63];
    out += kBase64Url[(group >> 12) & 63];
  } else if (size - i == 2) {
    const unsigned group = (data[i] << 16) | (data[i + 1] << 8);
    out += kBase64Url[(group >> 18) & 63];
    out += kBase64Url[(group >> 12) & 63];
    out += kBase64Url[(group >> 6) & 63];
  }
  return out;
}

bool isKeyIdCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool isBase64UrlCharacter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::string randomSecret() {
  std::array<unsigned char, kSecretBytes> secret_bytes{};
  randomBytes(secret_bytes.data(), secret_bytes.size());
  std::string secret = base64UrlWithoutPadding(secret_bytes.data(), secret_bytes.size());
  OPENSSL_cleanse(secret_bytes.data(), secret_bytes.size());
  return secret;
}

bool isWellFormedSecret(std::string_view text) noexcept {
  return text.size() == kSecretLength &&
         std::all_of(text.begin(), text.end(), isBase64UrlCharacter);
}

std::string base64Url(std::span<const unsigned char> bytes) {
  return base64UrlWithoutPadding(bytes.data(), bytes.size());
}

ApiKey generateApiKey() {
  ApiKey key;
  key.key_id = randomKeyId();
  key.secret = randomSecret();
  key.text = std::string(kApiKeyPrefix) + key.key_id + "_" + key.secret;
  return key;
}

bool isValidKeyId(std::string_view text) noexcept {
  return text.size() == kKeyIdLength && std::all_of(text.begin(), text.end(), isKeyIdCharacter);
}

std::optional<ParsedKey> parseApiKey(std::string_view text) noexcept {
  // The secret's alphabet includes '_', so the parts are found by position, never by splitting.
  if (text.size() != kApiKeyLength || !text.starts_with(kApiKeyPrefix)) return std::nullopt;
  const std::string_view key_id = text.substr(kApiKeyPrefix.size(), kKeyIdLength);
  const std::size_t separator = kApiKeyPrefix.size() + kKeyIdLength;
  const std::string_view secret = text.substr(separator + 1);
  if (!isValidKeyId(key_id) || text[separator] != '_' || !isWellFormedSecret(secret)) {
    return std::nullopt;
  }
  try {
    return ParsedKey{std::string(key_id), std::string(secret)};
  } catch (...) {  // std::bad_alloc: nothing a caller could do with the key either
    return std::nullopt;
  }
}

SecretDigest secretDigest(std::string_view secret) {
  SecretDigest digest{};
  unsigned int size = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    throw std::runtime_error("cannot hash an API key secret: OpenSSL's SHA-256 failed");
  }
  return digest;
}

bool sameDigest(const SecretDigest& a, const SecretDigest& b) noexcept {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace creditgate::server
