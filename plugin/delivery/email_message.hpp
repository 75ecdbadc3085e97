// A notice as a mail (RFC 5322, MIME): text and HTML alternatives, both quoted-printable, lines
// ending in CRLF, ready for SMTP (smtp_client.hpp). The Message-ID is the event's, so a mail sent
// again after a retry is recognisably the same one: <creditgate.event-42@domain of From>.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "notice.hpp"
#include "notice_text.hpp"

namespace creditgate {

// nullopt, composing nothing, unless from and to are each one plain address (isEmailAddress in
// email_address.hpp: no display name, no CR, LF, '<', '>' or ','), so that nothing an address
// brings can add a header or a recipient. Values that go into headers (the subject, the tenant
// id) are cut to one line, and written as RFC 2047 encoded words when they are not plain ASCII.
// `date` is written in UTC.
std::optional<std::string> composeEmail(const NoticeText& text, const Notice& notice,
                                        std::string_view from, std::string_view to,
                                        std::chrono::system_clock::time_point date);

// Quoted-printable (RFC 2045, 6.7) of UTF-8 text whose lines end in "\n" or "\r\n": CRLF line
// ends, encoded lines of at most 76 characters (soft breaks), '=' and every byte outside printable
// ASCII encoded, and whitespace at a line's end. A '.' that starts an encoded line is encoded too
// (=2E): libcurl's SMTP upload doubles a dot after CRLF (lib/smtp.c, Curl_smtp_escape_eob), so
// this is not needed there, but it keeps the message safe on any other way to a mail server.
std::string quotedPrintable(std::string_view text);

}  // namespace creditgate
