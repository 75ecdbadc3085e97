// A calendar day as rate cards and market mappings are dated: no time, no zone.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace creditgate::admin {

struct CalendarDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31, valid for the month

  // Exactly "YYYY-MM-DD" naming a real day (2026-02-29 is refused), years 2000..2999.
  static std::optional<CalendarDate> parseIso(std::string_view text);
  // year, month and day of a real calendar day; nullopt otherwise.
  static std::optional<CalendarDate> of(int year, int month, int day);

  std::string iso() const;  // "2026-07-01"
  auto operator<=>(const CalendarDate&) const = default;
};

}  // namespace creditgate::admin
