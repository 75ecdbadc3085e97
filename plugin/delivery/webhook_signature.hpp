// Standard Webhooks 1.0 signatures (https://www.standardwebhooks.com, "Signature scheme"): a
// receiver checks `webhook-signature` against HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.
// <body>" under the endpoint's secret. A secret is written "whsec_" + base64 of its key bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace creditgate {

// The key bytes of "whsec_<base64>"; nullopt without the prefix, for base64 that does not decode
// strictly (base64.hpp), or for a key outside 24..64 bytes (the spec's range).
std::optional<std::vector<unsigned char>> decodeWebhookSecret(std::string_view secret);

// The `webhook-signature` header's value: "v1,<base64 HMAC>" for each secret, space-separated (two
// while a rotation has both signing). A secret that does not decode signs nothing; with none that
// does, the result is empty and the caller must not send.
std::string webhookSignature(std::span<const std::string> secrets, std::string_view msg_id,
                             std::int64_t unix_seconds, std::string_view body);

// "whsec_" + base64 of 32 bytes from OpenSSL's RAND_bytes; throws std::runtime_error if the random
// source fails (never a weak secret).
std::string newWebhookSecret();

}  // namespace creditgate
