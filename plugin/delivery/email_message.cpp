#include "email_message.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "base64.hpp"
#include "email_address.hpp"
#include "plain_text.hpp"

namespace creditgate {

namespace {

constexpr std::size_t kMaxEncodedLine =
    76;                              // RFC 2045: encoded lines, the soft break's '=' included
constexpr std::size_t kFoldAt = 78;  // RFC 5322: header lines SHOULD NOT be longer
// Raw bytes per RFC 2047 encoded word: 42 bytes are 56 base64 characters, a 68-character word,
// and "Subject: " before it still fits kFoldAt.
constexpr std::size_t kEncodedWordBytes = 42;

void appendHex(std::string& out, unsigned char byte) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  out += '=';
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0xF];
}

void appendQuotedPrintableLine(std::string_view line, std::string& out) {
  std::size_t column = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    const auto token = [&] {
      std::string t;
      const bool whitespace = byte == ' ' || byte == '\t';
      if ((whitespace && !last) ||
          (byte > ' ' && byte < 0x7F && byte != '=' && !(byte == '.' && column == 0))) {
        t += static_cast<char>(byte);
      } else {
        appendHex(t, byte);
      }
      return t;
    };
    std::string piece = token();
    // Room for the soft break's '=' unless this is the line's last piece.
    if (column + piece.size() > kMaxEncodedLine - (last ? 0 : 1)) {
      out += "=\r\n";
      column = 0;
      piece = token();  // a '.' now starts a line
    }
    out += piece;
    column += piece.size();
  }
}

bool isPlainHeaderText(std::string_view value) {
  for (const char c : value) {
    if (c < ' ' || c > '~') return false;
  }
  // "=?" could be read as the start of an encoded word: encode the whole value instead.
  return value.find("=?") == std::string_view::npos;
}

// "Name: value\r\n", value one line: plain ASCII folded at spaces, anything else as RFC 2047
// encoded words of whole UTF-8 characters.
std::string headerField(std::string_view name, std::string_view raw_value) {
  const std::string value = singleLine(raw_value, 300);
  std::string out = std::string(name) + ":";
  std::size_t line_length = out.size();
  const auto append = [&](std::string_view word) {
    if (line_length + 1 + word.size() > kFoldAt && line_length > name.size() + 1 && !word.empty()) {
      out += "\r\n";
      line_length = 0;
    }
    out += ' ';
    out += word;
    line_length += 1 + word.size();
  };
  if (isPlainHeaderText(value)) {
    for (std::size_t start = 0;;) {
      const std::size_t space = value.find(' ', start);
      append(std::string_view(value).substr(start, space - start));
      if (space == std::string::npos) break;
      start = space + 1;
    }
  } else {
    for (std::size_t start = 0; start < value.size();) {
      std::size_t end = std::min(start + kEncodedWordBytes, value.size());
      // Back up to the start of a character: continuation bytes are 10xxxxxx.
      while (end < value.size() && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
      append("=?UTF-8?B?" + encodeBase64(std::string_view(value).substr(start, end - start)) +
             "?=");
      start = end;
    }
  }
  return out + "\r\n";
}

// RFC 5322, 3.3, in UTC: "Tue, 01 Jul 2025 09:05:00 +0000". By hand: strftime's names follow the
// process's locale, which is the host's.
std::string rfc5322Date(std::chrono::system_clock::time_point when) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday],
                utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return text;
}

}  // namespace

std::string quotedPrintable(std::string_view text) {
  std::string out;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end - start);
    if (end != std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);
    appendQuotedPrintableLine(line, out);
    if (end == std::string_view::npos) break;
    out += "\r\n";
    start = end + 1;
  }
  return out;
}

std::optional<std::string> composeEmail(const NoticeText& text, const Notice& notice,
                                        std::string_view from, std::string_view to,
                                        std::chrono::system_clock::time_point date) {
  if (!isEmailAddress(from) || !isEmailAddress(to)) return std::nullopt;
  const std::size_t at = from.rfind('@');
  const std::string_view domain = at == std::string_view::npos ? "localhost" : from.substr(at + 1);
  const std::string event = std::to_string(notice.event_id);

  const std::string plain = quotedPrintable(text.text);
  const std::string html = quotedPrintable(text.html);
  // '=' followed by '_' never occurs in quoted-printable ('=' is always followed by two hex digits
  // or a line end), so a boundary starting "=_" cannot occur in either part; checked all the same.
  std::string boundary = "=_creditgate.event-" + event;
  for (int n = 1;
       plain.find(boundary) != std::string::npos || html.find(boundary) != std::string::npos; ++n) {
    boundary = "=_creditgate.event-" + event + "." + std::to_string(n);
  }

  std::string message;
  message += "Date: " + rfc5322Date(date) + "\r\n";
  message += "From: " + std::string(from) + "\r\n";
  message += "To: " + std::string(to) + "\r\n";
  message += headerField("Subject", text.subject);
  message += "Message-ID: <creditgate.event-" + event + "@" + std::string(domain) + ">\r\n";
  message += "X-Creditgate-Event: " + event + "\r\n";
  message += headerField("X-Creditgate-Tenant", notice.tenant_id);
  // RFC 3834: sent by a program, so auto-responders do not answer it.
  message += "Auto-Submitted: auto-generated\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  message += "\r\n";
  message += "--" + boundary + "\r\n";
  message += "Content-Type: text/plain; charset=utf-8\r\n";
  message += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  message += plain;
  message += "\r\n--" + boundary + "\r\n";
  message += "Content-Type: text/html; charset=utf-8\r\n";
  message += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  message += html;
  message += "\r\n--" + boundary + "--\r\n";
  return message;
}

}  // namespace creditgate
