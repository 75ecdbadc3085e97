// Money as the portal writes it: exact, in the currency's own way (its ISO 4217 minor units), never
// rounded. 12500000 micros of USD is "12.50", of JPY "12.5" (a price below the minor unit is shown
// to the micro-unit rather than rounded away), 1500000000 of JPY "1500": creditctl's exact text
// (formatMicros) less the zeros past the currency's minor units. The CSV download writes
// creditctl's six decimals as they are, for machines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace creditgate::server {

// At least `minor_units` decimals (0..6), more only where the amount has non-zero micro digits.
std::string formatMoney(std::int64_t micros, int minor_units);

// The same for an exact integer number of micro-units written as decimal digits with an optional
// leading '-' (PostgreSQL numeric text, which may exceed int64); nullopt if it is not that.
std::optional<std::string> formatMoneyText(std::string_view micros, int minor_units);

}  // namespace creditgate::server
