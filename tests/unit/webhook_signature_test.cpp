#include "webhook_signature.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace creditgate {
namespace {

// The Standard Webhooks / Svix reference vector (their libraries' tests sign exactly this).
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kMsgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr std::string_view kBody = R"({"test": 2432232314})";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(WebhookSignature, ReproducesTheReferenceVector) {
  const std::vector<std::string> secrets{std::string(kSecret)};
  EXPECT_EQ(webhookSignature(secrets, kMsgId, kTimestamp, kBody), kSignature);
}

TEST(WebhookSignature, SignsWithEverySecretDuringARotation) {
  const std::string fresh = newWebhookSecret();
  const std::vector<std::string> both{fresh, std::string(kSecret)};
  const std::string header = webhookSignature(both, kMsgId, kTimestamp, kBody);
  const std::size_t space = header.find(' ');
  ASSERT_NE(space, std::string::npos);
  EXPECT_EQ(header.find(' ', space + 1), std::string::npos);
  EXPECT_TRUE(header.starts_with("v1,"));
  EXPECT_EQ(header.substr(space + 1), kSignature);
  EXPECT_EQ(header.substr(0, space),
            webhookSignature(std::vector<std::string>{fresh}, kMsgId, kTimestamp, kBody));
  EXPECT_NE(header.substr(0, space), kSignature);
}

TEST(WebhookSignature, ABadSecretSignsNothing) {
  const std::vector<std::string> bad{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!",
                                     "whsec_c2hvcnQ=", ""};
  EXPECT_EQ(webhookSignature(bad, kMsgId, kTimestamp, kBody), "");
  std::vector<std::string> mixed = bad;
  mixed.emplace_back(kSecret);
  EXPECT_EQ(webhookSignature(mixed, kMsgId, kTimestamp, kBody), kSignature);
}

TEST(WebhookSignature, DecodesSecrets) {
  const auto key = decodeWebhookSecret(kSecret);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 24u);
  EXPECT_FALSE(decodeWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));  // no prefix
  EXPECT_FALSE(decodeWebhookSecret("whsec_"));
  EXPECT_FALSE(decodeWebhookSecret("whsec_c2hvcnQ="));  // 5 bytes
  EXPECT_FALSE(decodeWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!"));
  EXPECT_FALSE(decodeWebhookSecret("whsec_" + std::string(88, 'A')));  // 66 bytes
}

TEST(WebhookSignature, NewSecretsAre32RandomBytes) {
  const std::string a = newWebhookSecret();
  const std::string b = newWebhookSecret();
  EXPECT_NE(a, b);
  EXPECT_TRUE(a.starts_with("whsec_"));
  EXPECT_EQ(a.size(), 6u + 44u);
  const auto key = decodeWebhookSecret(a);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 32u);
}

}  // namespace
}  // namespace creditgate
