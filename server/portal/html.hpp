// Text into the portal's HTML: every value a page shows goes through escapeHtml, so a tenant id,
// an email or a note can never become markup (the pages are built by the server, not a template
// engine that would escape by itself).
#pragma once

#include <string>
#include <string_view>

namespace creditgate::server {

// & < > " ' as character references; safe in element content and in double- or single-quoted
// attribute values.
std::string escapeHtml(std::string_view text);

}  // namespace creditgate::server
