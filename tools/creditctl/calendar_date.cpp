#include "calendar_date.hpp"

#include <chrono>
#include <cstdio>

namespace creditgate::admin {

std::optional<CalendarDate> CalendarDate::of(int year, int month, int day) {
  // Rate data before WhatsApp's pricing existed, or centuries ahead, is a typo.
  if (year < 2000 || year > 2999 || month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return CalendarDate{year, month, day};
}

std::optional<CalendarDate> CalendarDate::parseIso(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int fields[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t k = 0; k < lengths[i]; ++k) {
      const char c = text[starts[i] + k];
      if (c < '0' || c > '9') return std::nullopt;
      fields[i] = fields[i] * 10 + (c - '0');
    }
  }
  return of(fields[0], fields[1], fields[2]);
}

std::string CalendarDate::iso() const {
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", year, month, day);
  return out;
}

}  // namespace creditgate::admin
