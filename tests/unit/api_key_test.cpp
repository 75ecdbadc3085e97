// The API key format (server/auth/api_key.hpp): what generateApiKey makes parses back, and nothing
// that is almost a key does.
#include "api_key.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace creditgate::server {
namespace {

const std::string kKeyId = "0123abcdwxyz";
const std::string kSecret = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";  // 43 characters
const std::string kKey = "cg_" + kKeyId + "_" + kSecret;

TEST(ApiKey, AWellFormedKeyParsesIntoItsIdAndSecret) {
  ASSERT_EQ(kSecret.size(), kSecretLength);
  const auto parsed = parseApiKey(kKey);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->key_id, kKeyId);
  EXPECT_EQ(parsed->secret, kSecret);
}

TEST(ApiKey, ASecretStartingOrEndingWithUnderscoreOrDashStillParses) {
  // The secret's alphabet has '_': parts are found by position, never by splitting on '_'.
  const std::string secret = "_" + std::string(41, 'a') + "-";
  const auto parsed = parseApiKey("cg_" + kKeyId + "_" + secret);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->key_id, kKeyId);
  EXPECT_EQ(parsed->secret, secret);
}

TEST(ApiKey, NearMissesAreRefused) {
  const std::string cases[] = {
      "",
      "cg_",
      kKey.substr(0, kKey.size() - 1),                    // secret one short
      kKey + "A",                                         // secret one long
      kKey + " ",                                         // trailing space
      " " + kKey,                                         // leading space
      kKey + "\n",                                        // trailing newline
      "CG_" + kKeyId + "_" + kSecret,                     // prefix in capitals
      "cx_" + kKeyId + "_" + kSecret,                     // another prefix
      "cg-" + kKeyId + "_" + kSecret,                     // another separator after the prefix
      "cg" + kKeyId + "_" + kSecret + "A",                // no separator, same length
      "cg_" + kKeyId + "-" + kSecret,                     // another separator before the secret
      "cg_" + kKeyId.substr(1) + "_" + kSecret + "A",     // id one short, secret one long
      "cg_" + kKeyId + "a" + "_" + kSecret.substr(1),     // id one long, secret one short
      "cg_0123ABCDwxyz_" + kSecret,                       // id in capitals
      "cg_0123abcd-xyz_" + kSecret,                       // '-' in the id
      "cg_0123abcd_xyz_" + kSecret,                       // '_' in the id
      "cg_" + kKeyId + "_" + kSecret.substr(1) + "=",     // base64 padding
      "cg_" + kKeyId + "_" + kSecret.substr(1) + "+",     // standard base64, not base64url
      "cg_" + kKeyId + "_" + kSecret.substr(1) + "/",     // standard base64, not base64url
      "cg_" + kKeyId + "_" + kSecret.substr(1) + ".",     // punctuation
      "cg_" + kKeyId + "_" + kSecret.substr(1) + "\xc3",  // a non-ASCII byte
      "cg_" + kKeyId + "_" + std::string(kSecret.size() - 1, 'a') + std::string(1, '\0'),
      "Bearer " + kKey,  // the header, not the key
  };
  for (const std::string& text : cases) {
    EXPECT_FALSE(parseApiKey(text)) << "accepted: " << text;
  }
}

TEST(ApiKey, GeneratedKeysParseBackAndDiffer) {
  std::set<std::string> ids;
  std::set<std::string> secrets;
  for (int i = 0; i < 200; ++i) {
    const ApiKey key = generateApiKey();
    EXPECT_EQ(key.text.size(), kApiKeyLength);
    EXPECT_EQ(key.text, "cg_" + key.key_id + "_" + key.secret);
    const auto parsed = parseApiKey(key.text);
    ASSERT_TRUE(parsed) << key.text;
    EXPECT_EQ(parsed->key_id, key.key_id);
    EXPECT_EQ(parsed->secret, key.secret);
    EXPECT_TRUE(isValidKeyId(key.key_id));
    ids.insert(key.key_id);
    secrets.insert(key.secret);
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(secrets.size(), 200u);
}

TEST(ApiKey, GeneratedSecretsEncode32BytesCanonically) {
  // 32 bytes are 256 bits: the 43rd character carries 4 of them and two zero bits, so only the 16
  // characters whose value is a multiple of 4 can end a secret.
  const std::string canonical_last = "AEIMQUYcgkosw048";
  for (int i = 0; i < 200; ++i) {
    const ApiKey key = generateApiKey();
    EXPECT_NE(canonical_last.find(key.secret.back()), std::string::npos) << key.secret;
  }
}

TEST(ApiKey, KeyIdsUseTheirWholeAlphabet) {
  // 200 keys give 2400 id characters: every one of the 36 should turn up (a bias or a narrower
  // alphabet would show here first).
  std::set<char> seen;
  for (int i = 0; i < 200; ++i) {
    for (const char c : generateApiKey().key_id) seen.insert(c);
  }
  EXPECT_EQ(seen.size(), 36u);
}

TEST(ApiKey, SecretDigestIsSha256OfTheSecretText) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  const SecretDigest expected = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  EXPECT_EQ(secretDigest("abc"), expected);
  EXPECT_TRUE(sameDigest(secretDigest("abc"), expected));
}

TEST(ApiKey, SameDigestTellsDigestsApartByAnyByte) {
  const SecretDigest digest = secretDigest(kSecret);
  EXPECT_TRUE(sameDigest(digest, digest));
  for (std::size_t i = 0; i < digest.size(); ++i) {
    SecretDigest other = digest;
    other[i] ^= 0x01;
    EXPECT_FALSE(sameDigest(digest, other)) << "byte " << i;
  }
  EXPECT_FALSE(sameDigest(secretDigest(kSecret), secretDigest(kSecret.substr(1) + "A")));
}

TEST(ApiKey, KeyIdsAreTwelveLowercaseLettersOrDigits) {
  EXPECT_TRUE(isValidKeyId("abcdefghij01"));
  EXPECT_FALSE(isValidKeyId("abcdefghij0"));
  EXPECT_FALSE(isValidKeyId("abcdefghij012"));
  EXPECT_FALSE(isValidKeyId("abcdefghij0A"));
  EXPECT_FALSE(isValidKeyId("abcdefghij0_"));
  EXPECT_FALSE(isValidKeyId(""));
}

}  // namespace
}  // namespace creditgate::server
