// Untrusted text as it can safely appear in a message, a log line or the host's detail field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace creditgate {

// The text with printable ASCII (0x20..0x7e) kept as is and every other byte, as well as the
// characters \ and ', written as \xNN. At most max_chars output characters are kept; an escape is
// never split, and "..." is appended when anything was cut.
std::string printableText(std::string_view text, std::size_t max_chars);

// printableText in single quotes: "'abc'", "'a\x0ab'", "'tttt...'".
std::string quotedText(std::string_view text, std::size_t max_chars = 40);

// Characters as PostgreSQL's length() counts them in UTF-8: every byte but continuation bytes. The
// one count for every limit the database also checks (contacts, references, labels, markets).
std::size_t utf8Length(std::string_view text) noexcept;

}  // namespace creditgate
