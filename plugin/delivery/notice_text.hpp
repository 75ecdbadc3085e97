// What a notice says to a person: a subject and the same content as plain text and as HTML, in the
// tenant's currency written its own way (formatMicrosIn). Values that come from gateways (tenant
// and campaign ids) and from the payload are untrusted: each is cut to one line of valid UTF-8
// (singleLine), and HTML-escaped in the HTML part.
#pragma once

#include <string>
#include <string_view>

#include "notice.hpp"

namespace creditgate {

struct NoticeText {
  std::string subject;  // one line
  std::string text;     // plain text, lines ending in "\n"
  std::string html;     // a small HTML document
};

// portal_url: the portal's base URL, "https://credit.example/portal/" (a missing final '/' is
// added), or empty for no link. The message links to the tenant's overview page there,
// portal_url + "t/" + the tenant id percent-encoded + "/" (server/portal/portal_route.cpp).
NoticeText describeNotice(const Notice& notice, std::string_view portal_url);

}  // namespace creditgate
