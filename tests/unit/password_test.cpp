// Portal passwords: Argon2id hashes that verify the right password only, a fresh salt each time,
// and generated passwords from the documented alphabet.
#include "password.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace creditgate::server {
namespace {

TEST(Password, HashIsArgon2idWithTheInteractiveCostAndVerifiesOnlyItsPassword) {
  const std::string hash = hashPassword("correct horse battery staple");
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << hash;
  EXPECT_TRUE(isArgon2idHash(hash));
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
  EXPECT_TRUE(passwordMatches(hash, "correct horse battery staple"));
  EXPECT_FALSE(passwordMatches(hash, "correct horse battery stapl"));
  EXPECT_FALSE(passwordMatches(hash, "Correct horse battery staple"));
  EXPECT_FALSE(passwordMatches(hash, ""));
}

TEST(Password, TheSamePasswordHashesDifferentlyEachTime) {
  const std::string first = hashPassword("same");
  const std::string second = hashPassword("same");
  EXPECT_NE(first, second);  // a fresh salt
  EXPECT_TRUE(passwordMatches(first, "same"));
  EXPECT_TRUE(passwordMatches(second, "same"));
}

TEST(Password, AStoredTextThatIsNotAnArgon2idHashMatchesNothing) {
  EXPECT_FALSE(isArgon2idHash("hunter2"));
  EXPECT_FALSE(passwordMatches("hunter2", "hunter2"));  // a clear-text "hash" is never accepted
  EXPECT_FALSE(isArgon2idHash("$2b$12$abcdefghijklmnopqrstuv"));
  EXPECT_FALSE(passwordMatches("", ""));
}

TEST(Password, GeneratedPasswordsAreTwentyCharactersWithoutLookAlikes) {
  const std::string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string password = generatePassword();
    ASSERT_EQ(password.size(), 20u);
    EXPECT_EQ(password.find_first_not_of(alphabet), std::string::npos) << password;
    seen.insert(password);
  }
  EXPECT_EQ(seen.size(), 200u);
}

}  // namespace
}  // namespace creditgate::server
