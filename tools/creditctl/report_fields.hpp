// How creditctl's reports show what the database holds: money as exact decimals, times in UTC,
// untrusted text made printable for a terminal (JSON gets it as is), NULL as "-" or null.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace pqxx {
class field;
}

namespace creditgate::ctl {

// An integer number of micro-units written in decimal (a numeric column as text, which may not fit
// in int64) as an exact decimal: "-12345678" -> "-12.345678". Throws std::runtime_error otherwise.
std::string microsText(std::string_view integer);

// "2026-07-01T12:34:56.123456Z" -> "2026-07-01 12:34:56" (the text tables' resolution).
std::string shortTime(std::string_view iso);

// The field's text made printable (at most `max_chars`), or "-" when NULL.
std::string cellText(const pqxx::field& field, std::size_t max_chars = 64);
// The field's text, or null when NULL.
boost::json::value jsonText(const pqxx::field& field);

// "12.500000 EUR"
std::string money(std::int64_t micros, std::string_view currency);

// An amount in a --json report: `name` as the exact decimal ("12.340000") and `name`_micros as the
// integer micro-units in a string ("12340000"), never a JSON number: readers that turn numbers into
// doubles (JavaScript, jq) round integers above 2^53.
void putMoney(boost::json::object& json, std::string_view name, std::int64_t micros);
// The same from a numeric column's text (microsText's input): amounts that may not fit in int64.
void putMoneyText(boost::json::object& json, std::string_view name, std::string_view integer);

// The line a report prints when it shows fewer rows than match: "showing the newest 100 of 250
// entries (--limit N shows more)".
std::string truncationNotice(std::size_t shown, std::int64_t matching, std::string_view noun);

}  // namespace creditgate::ctl
