#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "decimal_micros.hpp"

namespace creditgate {
namespace {

TEST(FormatMicrosIn, WritesTheCurrencysMinorUnitsAndNeverRounds) {
  EXPECT_EQ(formatMicrosIn(4'100'000, 2), "4.10");      // EUR
  EXPECT_EQ(formatMicrosIn(4'100'000, 0), "4.1");       // JPY: a tenth of a yen is kept
  EXPECT_EQ(formatMicrosIn(1'500'000'000, 0), "1500");  // JPY
  EXPECT_EQ(formatMicrosIn(4'100'000, 3), "4.100");     // BHD
  EXPECT_EQ(formatMicrosIn(12'345, 2), "0.012345");     // below a cent: every micro shown
  EXPECT_EQ(formatMicrosIn(-350'000, 2), "-0.35");
  EXPECT_EQ(formatMicrosIn(0, 0), "0");
  EXPECT_EQ(formatMicrosIn(1, 6), "0.000001");
  EXPECT_EQ(formatMicrosIn(std::numeric_limits<std::int64_t>::min(), 2), "-9223372036854.775808");
}

TEST(FormatMicrosIn, ClampsMinorUnitsToZeroThroughSix) {
  EXPECT_EQ(formatMicrosIn(12'000'000, -1), "12");
  EXPECT_EQ(formatMicrosIn(12'000'000, 9), "12.000000");
}

TEST(DropZerosPastMinorUnits, TrimsTextBeyondInt64) {
  EXPECT_EQ(dropZerosPastMinorUnits("123456789012345678901.500000", 2), "123456789012345678901.50");
  EXPECT_EQ(dropZerosPastMinorUnits("7.000000", 0), "7");
}

}  // namespace
}  // namespace creditgate
