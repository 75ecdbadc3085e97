// Text into the portal's HTML and URLs: every value a page shows goes through escapeHtml, and every
// value a link carries through urlEncode, so a tenant id, an email or a note can never become
// markup or another path (the pages are built by the server, not by a template engine that would
// escape by itself).
#pragma once

#include <string>
#include <string_view>

#include "html_text.hpp"

namespace creditgate::server {

// & < > " ' as character references; one definition with the notification mails' HTML part.
using creditgate::escapeHtml;

// Percent-encodes every byte but RFC 3986's unreserved ones: safe as a path segment or a query
// value (then escaped again by escapeHtml when written into an attribute).
std::string urlEncode(std::string_view text);

}  // namespace creditgate::server
