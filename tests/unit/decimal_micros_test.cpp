#include "decimal_micros.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace creditgate {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

std::int64_t parsed(std::string_view text, DecimalOptions options = {}) {
  const auto result = parseDecimalMicros(text, options);
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(result))
      << "'" << text << "': " << std::get<DecimalError>(result).message;
  return std::holds_alternative<std::int64_t>(result) ? std::get<std::int64_t>(result) : 0;
}

std::string refusal(std::string_view text, DecimalOptions options = {}) {
  const auto result = parseDecimalMicros(text, options);
  EXPECT_TRUE(std::holds_alternative<DecimalError>(result)) << "'" << text << "' was accepted";
  return std::holds_alternative<DecimalError>(result) ? std::get<DecimalError>(result).message : "";
}

TEST(DecimalMicros, ParsesWholeAndFractionalAmountsExactly) {
  EXPECT_EQ(parsed("12"), 12'000'000);
  EXPECT_EQ(parsed("12.5"), 12'500'000);
  EXPECT_EQ(parsed("0.000001"), 1);
  EXPECT_EQ(parsed("0.0618"), 61'800);
  EXPECT_EQ(parsed("0"), 0);
  EXPECT_EQ(parsed("007.50"), 7'500'000);
}

TEST(DecimalMicros, ParsesNegativeAmountsOnlyWhenAllowed) {
  EXPECT_EQ(parsed("-3.25", {.allow_negative = true}), -3'250'000);
  EXPECT_EQ(parsed("-0.000001", {.allow_negative = true}), -1);
  EXPECT_NE(refusal("-1").find("'-1'"), std::string::npos);
}

TEST(DecimalMicros, AcceptsTheExtremesOfInt64MicroUnits) {
  EXPECT_EQ(parsed("9223372036854.775807"), kMax);
  EXPECT_EQ(parsed("-9223372036854.775808", {.allow_negative = true}), kMin);
}

TEST(DecimalMicros, RefusesValuesOutsideInt64MicroUnits) {
  EXPECT_NE(refusal("9223372036854.775808").find("range"), std::string::npos);
  refusal("-9223372036854.775809", {.allow_negative = true});
  refusal("9223372036855");
  refusal("99999999999999999999999999");
}

TEST(DecimalMicros, RefusesMoreThanSixDecimals) {
  const std::string message = refusal("1.0000001");
  EXPECT_NE(message.find("'1.0000001'"), std::string::npos);
  EXPECT_NE(message.find("6 decimals"), std::string::npos);
}

TEST(DecimalMicros, RefusesEverythingThatIsNotAPlainDecimal) {
  for (const char* text : {"", "1e3", "+1", " 1", "1 ", ".", "1.", ".5", "1,000", "0x10", "-",
                           "1.2.3", "abc", "--1", "1-"}) {
    const std::string message = refusal(text, {.allow_negative = true});
    EXPECT_NE(message.find("'" + std::string(text) + "'"), std::string::npos)
        << "message does not quote the text: " << message;
  }
}

TEST(DecimalMicros, ShowsControlBytesEscapedAndShortensLongInputInMessages) {
  const std::string message = refusal(std::string_view("1\n\0", 3));
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_EQ(message.find('\0'), std::string::npos);
  EXPECT_NE(message.find("\\x0a"), std::string::npos);

  const std::string long_message = refusal(std::string(500, 'x'));
  EXPECT_LT(long_message.size(), 120u);
  EXPECT_NE(long_message.find("..."), std::string::npos);
}

TEST(DecimalMicros, FormatsWithSixDecimals) {
  EXPECT_EQ(formatMicros(12'500'000), "12.500000");
  EXPECT_EQ(formatMicros(-1), "-0.000001");
  EXPECT_EQ(formatMicros(0), "0.000000");
  EXPECT_EQ(formatMicros(61'800), "0.061800");
  EXPECT_EQ(formatMicros(-12'000'000), "-12.000000");
}

TEST(DecimalMicros, FormatsTheExtremesOfInt64Exactly) {
  EXPECT_EQ(formatMicros(kMax), "9223372036854.775807");
  EXPECT_EQ(formatMicros(kMin), "-9223372036854.775808");
}

TEST(DecimalMicros, FormattedTextParsesBackToTheSameAmount) {
  for (const std::int64_t micros :
       {kMin, kMin + 1, std::int64_t{-1'000'001}, std::int64_t{-1}, std::int64_t{0},
        std::int64_t{1}, std::int64_t{999'999}, std::int64_t{1'000'000}, kMax - 1, kMax}) {
    EXPECT_EQ(parsed(formatMicros(micros), {.allow_negative = true}), micros);
  }
}

}  // namespace
}  // namespace creditgate
