#include "email_message.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "base64.hpp"

namespace creditgate {
namespace {

using namespace std::chrono_literals;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// RFC 2045's decoding, written independently of the encoder: soft breaks go, =XX become bytes.
std::string decodeQuotedPrintable(const std::string& encoded) {
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '=') {
      out += encoded[i];
    } else if (encoded.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else {
      out += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
      i += 2;
    }
  }
  return out;
}

std::vector<std::string> crlfLines(const std::string& text) {
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = text.find("\r\n", start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return lines;
}

Notice sampleNotice() {
  Notice n;
  n.event_id = 4711;
  n.tenant_id = "acme";
  n.type = "low_balance";
  return n;
}

// 2025-07-01T09:05:03Z, a Tuesday.
const auto kDate = std::chrono::sys_days{std::chrono::year{2025} / 7 / 1} + 9h + 5min + 3s;

std::string composed(const NoticeText& text, std::string_view from = "credit@gw.example",
                     std::string_view to = "ops@acme.example") {
  const auto message = composeEmail(text, sampleNotice(), from, to, kDate);
  EXPECT_TRUE(message);
  return message.value_or("");
}

TEST(EmailMessage, HasTheHeadersAndBothParts) {
  const std::string message = composed({"WhatsApp credit low: 4.10 EUR left (critical)",
                                        "Balance: 4.10 EUR\n", "<p>Balance: 4.10 EUR</p>\n"});
  const std::string head = message.substr(0, message.find("\r\n\r\n") + 2);
  EXPECT_TRUE(contains(head, "Date: Tue, 01 Jul 2025 09:05:03 +0000\r\n"));
  EXPECT_TRUE(contains(head, "From: credit@gw.example\r\n"));
  EXPECT_TRUE(contains(head, "To: ops@acme.example\r\n"));
  EXPECT_TRUE(contains(head, "Subject: WhatsApp credit low: 4.10 EUR left (critical)\r\n"));
  EXPECT_TRUE(contains(head, "Message-ID: <creditgate.event-4711@gw.example>\r\n"));
  EXPECT_TRUE(contains(head, "X-Creditgate-Event: 4711\r\n"));
  EXPECT_TRUE(contains(head, "X-Creditgate-Tenant: acme\r\n"));
  EXPECT_TRUE(contains(head, "MIME-Version: 1.0\r\n"));
  EXPECT_TRUE(contains(
      head, "Content-Type: multipart/alternative; boundary=\"=_creditgate.event-4711\"\r\n"));
  EXPECT_TRUE(contains(message,
                       "\r\n--=_creditgate.event-4711\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                       "Balance: 4.10 EUR\r\n"));
  EXPECT_TRUE(contains(message,
                       "\r\n--=_creditgate.event-4711\r\n"
                       "Content-Type: text/html; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                       "<p>Balance: 4.10 EUR</p>\r\n"));
  EXPECT_TRUE(message.ends_with("\r\n--=_creditgate.event-4711--\r\n"));
}

TEST(EmailMessage, EndsEveryLineInCrlfAndKeepsLinesShort) {
  const std::string message = composed(
      {"A subject long enough that it has to be folded somewhere before it reaches the end of "
       "its line, surely",
       "one\ntwo\r\nthree\n" + std::string(300, 'x') + "\n", "<p>\n</p>"});
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n') {
      EXPECT_TRUE(i > 0 && message[i - 1] == '\r') << i;
    }
    if (message[i] == '\r') {
      EXPECT_TRUE(i + 1 < message.size() && message[i + 1] == '\n') << i;
    }
  }
  for (const std::string& line : crlfLines(message)) EXPECT_LE(line.size(), 78u) << line;
  // Unfolded, the subject is whole again.
  std::string unfolded = message;
  for (std::size_t at; (at = unfolded.find("\r\n ")) != std::string::npos;) unfolded.erase(at, 2);
  EXPECT_TRUE(
      contains(unfolded,
               "Subject: A subject long enough that it has to be folded somewhere before it "
               "reaches the end of its line, surely\r\n"));
}

TEST(EmailMessage, EncodesANonAsciiSubjectAsEncodedWords) {
  const std::string subject =
      "Guthaben fast aufgebraucht: 4,10 € übrig — bitte rechtzeitig aufladen, sonst stoppt alles";
  const std::string message = composed({subject, "x\n", "x\n"});
  const std::string head = message.substr(0, message.find("\r\n\r\n") + 2);
  const std::size_t start = head.find("Subject: ");
  ASSERT_NE(start, std::string::npos);
  std::string decoded;
  std::size_t pos = start + 9;
  while (head.compare(pos, 10, "=?UTF-8?B?") == 0) {
    const std::size_t end = head.find("?=", pos + 10);
    const auto bytes = decodeBase64(head.substr(pos + 10, end - pos - 10));
    ASSERT_TRUE(bytes);
    decoded.append(bytes->begin(), bytes->end());
    pos = end + 2;
    if (head.compare(pos, 3, "\r\n ") == 0) pos += 3;
  }
  EXPECT_EQ(decoded, subject);
  EXPECT_EQ(head.compare(pos, 2, "\r\n"), 0);
}

TEST(EmailMessage, QuotedPrintableRoundTripsALongNonAsciiLine) {
  std::string line;
  for (int i = 0; i < 40; ++i) line += "Grüße, €5 = fünf Euro; ";
  line += "  \t";  // trailing whitespace must be encoded
  const std::string text = line + "\n.starts with a dot\n\n=3D is not a code\n";
  const std::string encoded = quotedPrintable(text);
  for (const std::string& encoded_line : crlfLines(encoded)) {
    EXPECT_LE(encoded_line.size(), 76u);
    EXPECT_FALSE(encoded_line.ends_with(' ') || encoded_line.ends_with('\t')) << encoded_line;
    EXPECT_FALSE(encoded_line.starts_with('.')) << encoded_line;
    for (const char c : encoded_line) EXPECT_TRUE(c >= ' ' && c <= '~') << encoded_line;
  }
  std::string expected = text;
  for (std::size_t at = 0; (at = expected.find('\n', at)) != std::string::npos; at += 2) {
    expected.replace(at, 1, "\r\n");
  }
  EXPECT_EQ(decodeQuotedPrintable(encoded), expected);
  EXPECT_TRUE(contains(encoded, "=3D3D is not a code"));
  EXPECT_TRUE(contains(encoded, "\r\n=2Estarts with a dot"));
}

TEST(EmailMessage, QuotedPrintableBreaksExactlyAtTheLimit) {
  EXPECT_EQ(quotedPrintable(std::string(76, 'a')), std::string(76, 'a'));
  EXPECT_EQ(quotedPrintable(std::string(77, 'a')), std::string(75, 'a') + "=\r\naa");
  // An escape is never split by a soft break.
  const std::string encoded = quotedPrintable(std::string(74, 'a') + "\xC3\xBC");
  EXPECT_EQ(encoded, std::string(74, 'a') + "=\r\n=C3=BC");
}

TEST(EmailMessage, RefusesAddressesThatCouldInjectHeadersOrRecipients) {
  const NoticeText text{"s", "t\n", "h\n"};
  const auto date = kDate;
  for (const std::string_view bad :
       {"ops@acme.example\r\nBcc: evil@x.example", "ops@acme.example\nBcc: evil@x.example",
        "Ops <ops@acme.example>", "ops@acme.example, evil@x.example", "<ops@acme.example>",
        "ops@acme.example>", "", "ops", "ops@", "@acme.example", "a b@acme.example"}) {
    EXPECT_FALSE(composeEmail(text, sampleNotice(), "credit@gw.example", bad, date)) << bad;
    EXPECT_FALSE(composeEmail(text, sampleNotice(), bad, "ops@acme.example", date)) << bad;
  }
  EXPECT_TRUE(composeEmail(text, sampleNotice(), "creditgate@localhost", "a@b", date));
}

TEST(EmailMessage, KeepsHostileValuesOutOfTheHeaders) {
  Notice n = sampleNotice();
  n.tenant_id = "acme\r\nBcc: evil@x.example";
  const auto message = composeEmail({"low\r\nBcc: evil@x.example", "t\n", "h\n"}, n,
                                    "credit@gw.example", "ops@acme.example", kDate);
  ASSERT_TRUE(message);
  EXPECT_FALSE(contains(*message, "\r\nBcc:"));
  EXPECT_TRUE(contains(*message, "Subject: lowBcc: evil@x.example\r\n"));
  EXPECT_TRUE(contains(*message, "X-Creditgate-Tenant: acmeBcc: evil@x.example\r\n"));
}

TEST(EmailMessage, EncodesAnAsciiValueThatLooksLikeAnEncodedWord) {
  Notice n = sampleNotice();
  n.tenant_id = "=?UTF-8?B?QWRtaW4=?=";
  const auto message =
      composeEmail({"s", "t\n", "h\n"}, n, "credit@gw.example", "ops@acme.example", kDate);
  ASSERT_TRUE(message);
  EXPECT_TRUE(contains(*message, "X-Creditgate-Tenant: =?UTF-8?B?" +
                                     encodeBase64(std::string_view("=?UTF-8?B?QWRtaW4=?=")) +
                                     "?=\r\n"));
}

}  // namespace
}  // namespace creditgate
