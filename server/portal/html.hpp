// Text into the portal's HTML and URLs: every value a page shows goes through escapeHtml, and every
// value a link carries through urlEncode, so a tenant id, an email or a note can never become
// markup or another path (the pages are built by the server, not by a template engine that would
// escape by itself).
#pragma once

#include <string>
#include <string_view>

#include "html_text.hpp"

namespace creditgate::server {

// One definition of each with the notification mails (plugin/base/html_text.hpp).
using creditgate::escapeHtml;
using creditgate::urlEncode;

}  // namespace creditgate::server
