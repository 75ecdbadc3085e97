// PostgreSQL array literals for bound parameters. The literal travels as a parameter value, never
// as SQL text, and every element is quoted and escaped, so no input can change the statement.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace creditgate {

std::string pgTextArray(std::span<const std::string_view> values);  // {"a","b\"c"}
std::string pgBigintArray(std::span<const std::int64_t> values);    // {1,-2}
std::string pgBoolArray(std::span<const bool> values);              // {t,f}

}  // namespace creditgate
