// Untrusted text into HTML and URLs: the billing portal's pages and links, and the HTML part and
// portal link of notification mails.
#pragma once

#include <string>
#include <string_view>

namespace creditgate {

// & < > " ' as character references: safe in element content and in double- or single-quoted
// attribute values.
std::string escapeHtml(std::string_view text);

// Percent-encodes every byte but RFC 3986's unreserved ones: safe as a path segment or a query
// value (then escaped again by escapeHtml when written into an attribute).
std::string urlEncode(std::string_view text);

}  // namespace creditgate
