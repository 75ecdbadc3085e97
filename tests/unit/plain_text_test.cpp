#include "plain_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "base64.hpp"
#include "html_text.hpp"

namespace creditgate {
namespace {

TEST(SingleLine, RemovesControlCharactersAndKeepsUtf8) {
  EXPECT_EQ(singleLine("spring\r\nBcc: x@y\tsale"), "springBcc: x@ysale");
  EXPECT_EQ(singleLine("Grüße \xC2\x85 über"), "Grüße  über");  // C1 NEL removed
  EXPECT_EQ(singleLine("a\x7F"
                       "b"),
            "ab");
}

TEST(SingleLine, ReplacesInvalidUtf8) {
  EXPECT_EQ(singleLine("a\xFF"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(singleLine("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(singleLine("\xED\xA0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
}

TEST(SingleLine, CutsOnACharacterBoundary) {
  EXPECT_EQ(singleLine("abcdefgh", 8), "abcdefgh");
  EXPECT_EQ(singleLine("abcdefghi", 8), "abcde...");
  EXPECT_EQ(singleLine("ab\xC3\xBC\xC3\xBC\xC3\xBC", 8), "ab\xC3\xBC\xC3\xBC\xC3\xBC");
  EXPECT_EQ(singleLine("ab\xC3\xBC\xC3\xBC\xC3\xBC\xC3\xBC", 8), "ab\xC3\xBC...");
}

TEST(ReplaceAll, ReplacesEveryOccurrenceOnce) {
  EXPECT_EQ(replaceAll("pw: s3cret, again s3cret", "s3cret", "***"), "pw: ***, again ***");
  EXPECT_EQ(replaceAll("aaa", "a", "aa"), "aaaaaa");  // what is put in is not searched again
  EXPECT_EQ(replaceAll("abc", "", "***"), "abc");
  EXPECT_EQ(replaceAll("abc", "x", "***"), "abc");
}

TEST(EscapeHtml, EscapesMarkupAndQuotes) {
  EXPECT_EQ(escapeHtml("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;");
}

TEST(Utf8Length, CountsCharacters) {
  EXPECT_EQ(utf8Length("abc"), 3u);
  EXPECT_EQ(utf8Length("Grüße"), 5u);
  EXPECT_EQ(utf8Length("\xFF\xFF"), 2u);
}

TEST(Base64, RoundTripsEveryLength) {
  const std::string text = "any carnal pleasure";
  for (std::size_t n = 0; n <= text.size(); ++n) {
    const std::string encoded = encodeBase64(text.substr(0, n));
    const auto decoded = decodeBase64(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), text.substr(0, n));
  }
  EXPECT_EQ(encodeBase64(std::string_view("any carnal pleas")), "YW55IGNhcm5hbCBwbGVhcw==");
}

TEST(Base64, DecodesStrictly) {
  EXPECT_TRUE(decodeBase64("YW55IGNhcm5hbCBwbGVhcw"));  // padding left out
  EXPECT_FALSE(decodeBase64("YW55IGNhcm5hbCBwbGVhcw="));
  EXPECT_FALSE(decodeBase64("YW55IGNh cm5hbCBwbGVhcw=="));
  EXPECT_FALSE(decodeBase64("YW55-GNhcm5hbCBwbGVhcw=="));  // base64url
  EXPECT_FALSE(decodeBase64("YW55IGNhcm5hbCBwbGVhcx=="));  // stray bits
  EXPECT_FALSE(decodeBase64("Y"));
}

}  // namespace
}  // namespace creditgate
