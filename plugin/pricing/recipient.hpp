// Recipients are E.164 numbers: '+', then 7 to 15 digits starting with a country calling code
// ITU-T has assigned (data/itu_calling_codes_2025.csv).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace creditgate {

// nullopt when `text` is a valid E.164 number; otherwise why not, quoting it, e.g.
// "'+12ab' has a non-digit at position 4". The reason never exceeds ~120 characters (long input is
// shortened in the message).
std::optional<std::string> e164Problem(std::string_view text);

// The digits after '+'. Only for text that passed e164Problem().
inline std::string_view e164Digits(std::string_view valid_e164) noexcept {
  return valid_e164.substr(1);
}

}  // namespace creditgate
