// Reading a column that may be NULL, and binding text for libpqxx 6.4 (which has no string_traits
// for std::string_view parameters).
#pragma once

#include <optional>
#include <pqxx/field>
#include <string>
#include <string_view>

namespace creditgate {

template <typename T>
std::optional<T> optionalField(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

inline std::string bindableText(std::string_view view) {
  return std::string(view);
}

}  // namespace creditgate
