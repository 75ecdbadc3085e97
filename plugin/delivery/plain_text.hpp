// Untrusted text (tenant ids and campaign ids come from gateways) as it may appear in what people
// read: a mail's headers and parts, a webhook's JSON. Unlike quoted_text.hpp's printableText, which
// is for logs and keeps every byte visible as \xNN, this keeps the text readable in any script and
// only removes what could change the shape of the message around it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "quoted_text.hpp"  // utf8Length, the one count of characters

namespace creditgate {

// Valid UTF-8 on one line: an invalid byte becomes U+FFFD, control characters (C0 including CR,
// LF and TAB, DEL, C1) are removed, and the result is cut to at most max_bytes on a character
// boundary, with "..." appended when anything was cut.
std::string singleLine(std::string_view text, std::size_t max_bytes = 200);

// Every occurrence of `needle` in `text` replaced with `with`, left to right; the text put in is
// not searched again. An empty needle leaves the text as it is.
std::string replaceAll(std::string text, std::string_view needle, std::string_view with);

}  // namespace creditgate
