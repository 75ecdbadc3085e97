#include "quoted_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace creditgate {
namespace {

TEST(QuotedText, KeepsPlainTextAsIs) {
  EXPECT_EQ(quotedText("abc"), "'abc'");
  EXPECT_EQ(quotedText("ac me +49 (x)"), "'ac me +49 (x)'");
  EXPECT_EQ(quotedText(""), "''");
  EXPECT_EQ(printableText("abc", 40), "abc");
}

TEST(QuotedText, EscapesControlBytes) {
  EXPECT_EQ(quotedText("b\n1"), "'b\\x0a1'");
  EXPECT_EQ(quotedText("a\tb\x7f"), "'a\\x09b\\x7f'");
  EXPECT_EQ(quotedText(std::string_view("x\0y", 3)), "'x\\x00y'");
  EXPECT_EQ(quotedText("\x1b[2J"), "'\\x1b[2J'");
}

TEST(QuotedText, EscapesQuoteAndBackslash) {
  EXPECT_EQ(quotedText("it's"), "'it\\x27s'");
  EXPECT_EQ(quotedText("a\\b"), "'a\\x5cb'");
  EXPECT_EQ(printableText("'\\", 40), "\\x27\\x5c");
  EXPECT_EQ(quotedText("\"ok\""), "'\"ok\"'");  // a double quote needs no escape
}

TEST(QuotedText, EscapesEachUtf8ByteSeparately) {
  EXPECT_EQ(quotedText("caf\xc3\xa9"), "'caf\\xc3\\xa9'");
  EXPECT_EQ(quotedText("\xe2\x82\xac"), "'\\xe2\\x82\\xac'");  // the euro sign
  EXPECT_EQ(quotedText("\xff"), "'\\xff'");
}

TEST(QuotedText, KeepsTextOfExactlyMaxCharsWhole) {
  EXPECT_EQ(quotedText(std::string(40, 't')), "'" + std::string(40, 't') + "'");
  EXPECT_EQ(quotedText("abcde", 5), "'abcde'");
  EXPECT_EQ(quotedText("a\n", 5), "'a\\x0a'");  // 1 + 4 output characters fit exactly
  EXPECT_EQ(printableText("", 0), "");
}

TEST(QuotedText, CutsOneCharacterOverMax) {
  EXPECT_EQ(quotedText(std::string(41, 't')), "'" + std::string(40, 't') + "...'");
  EXPECT_EQ(quotedText("abcdef", 5), "'abcde...'");
  EXPECT_EQ(printableText("abc", 0), "...");
}

TEST(QuotedText, NeverSplitsAnEscape) {
  // "ab" is 2 characters; the escape of \n would make 6 > 5, so it is left out whole.
  EXPECT_EQ(quotedText("ab\nc", 5), "'ab...'");
  EXPECT_EQ(quotedText("abc\xc3\xa9", 6), "'abc...'");
  EXPECT_EQ(quotedText("abc\xc3\xa9", 7), "'abc\\xc3...'");
}

TEST(QuotedText, BoundsHugeInput) {
  const std::string huge(100'000, '\x01');
  std::string ten_escapes;
  for (int i = 0; i < 10; ++i) ten_escapes += "\\x01";
  EXPECT_EQ(quotedText(huge), "'" + ten_escapes + "...'");
  EXPECT_EQ(printableText(huge, 64).size(), 64u + 3u);
}

}  // namespace
}  // namespace creditgate
