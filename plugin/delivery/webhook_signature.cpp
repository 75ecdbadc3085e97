#include "webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "base64.hpp"

namespace creditgate {

namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::size_t kMinKeyBytes = 24;
constexpr std::size_t kMaxKeyBytes = 64;
constexpr std::size_t kNewKeyBytes = 32;

}  // namespace

std::optional<std::vector<unsigned char>> decodeWebhookSecret(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) return std::nullopt;
  auto key = decodeBase64(secret.substr(kSecretPrefix.size()));
  if (!key || key->size() < kMinKeyBytes || key->size() > kMaxKeyBytes) return std::nullopt;
  return key;
}

std::string webhookSignature(std::span<const std::string> secrets, std::string_view msg_id,
                             std::int64_t unix_seconds, std::string_view body) {
  std::string content;
  content.reserve(msg_id.size() + 22 + body.size());
  content += msg_id;
  content += '.';
  content += std::to_string(unix_seconds);
  content += '.';
  content += body;

  std::string signatures;
  for (const std::string& secret : secrets) {
    auto key = decodeWebhookSecret(secret);
    if (!key) continue;
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_length = 0;
    const bool signed_ok = HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
                                reinterpret_cast<const unsigned char*>(content.data()),
                                content.size(), mac.data(), &mac_length) != nullptr;
    OPENSSL_cleanse(key->data(), key->size());  // no copy of the key left in freed memory
    if (!signed_ok) continue;
    if (!signatures.empty()) signatures += ' ';
    signatures += "v1,";
    signatures += encodeBase64(std::span(mac.data(), mac_length));
  }
  return signatures;
}

std::string newWebhookSecret() {
  std::array<unsigned char, kNewKeyBytes> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("the random source failed: no webhook secret made");
  }
  std::string secret = std::string(kSecretPrefix) + encodeBase64(key);
  OPENSSL_cleanse(key.data(), key.size());
  return secret;
}

}  // namespace creditgate
