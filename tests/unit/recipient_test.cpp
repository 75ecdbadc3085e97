#include "recipient.hpp"

#include <gtest/gtest.h>

#include <string>

namespace creditgate {
namespace {

std::string problem(std::string_view text) {
  const auto result = e164Problem(text);
  EXPECT_TRUE(result.has_value()) << "'" << text << "' was accepted";
  return result.value_or("");
}

TEST(Recipient, AcceptsE164NumbersOfSevenToFifteenDigits) {
  EXPECT_EQ(e164Problem("+4915112345678"), std::nullopt);
  EXPECT_EQ(e164Problem("+1234567"), std::nullopt);
  EXPECT_EQ(e164Problem("+123456789012345"), std::nullopt);
  EXPECT_EQ(e164Digits("+4915112345678"), "4915112345678");
}

TEST(Recipient, RefusesLettersNamingTheirPosition) {
  EXPECT_EQ(problem("+12ab5678"), "'+12ab5678' has a non-digit at position 4");
}

TEST(Recipient, RefusesTooFewDigits) {
  const std::string message = problem("+123456");
  EXPECT_NE(message.find("'+123456'"), std::string::npos);
  EXPECT_NE(message.find("6 digits"), std::string::npos);
}

TEST(Recipient, RefusesTooManyDigits) {
  const std::string message = problem("+1234567890123456");
  EXPECT_NE(message.find("16 digits"), std::string::npos);
}

TEST(Recipient, RefusesALeadingZeroAfterThePlus) {
  const std::string message = problem("+0491511234567");
  EXPECT_NE(message.find("'+0491511234567'"), std::string::npos);
  EXPECT_NE(message.find("starts with 0"), std::string::npos);
}

TEST(Recipient, RefusesAnUnassignedCountryCallingCode) {
  EXPECT_EQ(problem("+99912345678"), "'+99912345678' has an unassigned country calling code");
  EXPECT_EQ(problem("+2812345678"), "'+2812345678' has an unassigned country calling code");
  EXPECT_EQ(problem("+80112345678"), "'+80112345678' has an unassigned country calling code");
  EXPECT_EQ(problem("+3881234567"), "'+3881234567' has an unassigned country calling code");
  EXPECT_EQ(problem("+6711234567"), "'+6711234567' has an unassigned country calling code");
}

TEST(Recipient, AcceptsEveryKindOfAssignedCallingCode) {
  EXPECT_EQ(e164Problem("+16715551234"), std::nullopt);   // Guam, now under the NANP's 1
  EXPECT_EQ(e164Problem("+79161234567"), std::nullopt);   // 7
  EXPECT_EQ(e164Problem("+224621123456"), std::nullopt);  // Guinea
  EXPECT_EQ(e164Problem("+80012345678"), std::nullopt);   // International Freephone
  EXPECT_EQ(e164Problem("+882345678901"), std::nullopt);  // International Networks
  EXPECT_EQ(e164Problem("+97059123456"), std::nullopt);   // Palestine
}

TEST(Recipient, RefusesAnEmptyRecipient) { EXPECT_NE(problem("").find("empty"), std::string::npos); }

TEST(Recipient, RefusesANumberWithoutThePlus) {
  const std::string message = problem("4915112345678");
  EXPECT_NE(message.find("'4915112345678'"), std::string::npos);
  EXPECT_NE(message.find("'+'"), std::string::npos);
}

TEST(Recipient, RefusesInnerSpacesAndDashes) {
  problem("+49 151 1234567");
  problem("+49-151-1234567");
  problem("+");
}

TEST(Recipient, ShowsControlAndNonAsciiBytesEscapedNeverRaw) {
  const std::string message = problem("+49\x1b[2J\xff");
  EXPECT_EQ(message.find('\x1b'), std::string::npos);
  EXPECT_EQ(message.find('\xff'), std::string::npos);
  EXPECT_NE(message.find("\\x1b"), std::string::npos);
  EXPECT_NE(message.find("\\xff"), std::string::npos);
}

TEST(Recipient, ShortensLongInputInTheMessage) {
  const std::string message = problem("+" + std::string(10'000, '9'));
  EXPECT_LE(message.size(), 120u);
  EXPECT_NE(message.find("..."), std::string::npos);
  EXPECT_NE(message.find("10000 digits"), std::string::npos);
}

}  // namespace
}  // namespace creditgate
