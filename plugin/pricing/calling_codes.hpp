// The country calling codes ITU-T E.164 assigns, from data/itu_calling_codes_2025.csv, compiled
// into the core at build time (plugin/itu_calling_codes.cmake generates the list), so checking a
// recipient needs no file, no lock and no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace creditgate {

// How many digits the assigned calling code that `digits` (E.164 digits, without '+') starts with
// has: 1 to 3; 0 when no assigned code starts it (a spare or reserved code such as 999, 28x or
// 801, a leading 0, a non-digit, or fewer digits than the code). One table load.
std::size_t assignedCallingCodeLength(std::string_view digits) noexcept;

// Every assigned code, in the order of the data file (for tests and checks).
std::span<const std::uint16_t> assignedCallingCodes() noexcept;

}  // namespace creditgate
