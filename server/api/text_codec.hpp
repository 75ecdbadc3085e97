// Small text codecs the HTTP API and the portal share: UTF-8 well-formedness, percent escapes and
// hex digits.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace creditgate::server {

// The offset of the first byte that does not belong to a well-formed UTF-8 sequence, if any
// (overlong forms, surrogates and code points past U+10FFFF are not well formed).
std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

// Percent-decodes `text`; with plus_is_space, '+' is a space (HTML forms and query strings), else
// it is itself (a URL path). nullopt for a broken escape.
std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space);

// 0..15 for a hex digit of either case, -1 for any other character.
int hexDigitValue(char c) noexcept;

}  // namespace creditgate::server
