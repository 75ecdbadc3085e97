// Untrusted text into HTML: the billing portal's pages and the HTML part of notification mails.
#pragma once

#include <string>
#include <string_view>

namespace creditgate {

// & < > " ' as character references: safe in element content and in double- or single-quoted
// attribute values.
std::string escapeHtml(std::string_view text);

}  // namespace creditgate
