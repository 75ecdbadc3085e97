#include "category.hpp"

namespace creditgate {

namespace {

// Indexed by the enum's value; the order of kAllCategories.
constexpr std::array<std::string_view, kCategoryCount> kCategoryNames = {
    "marketing", "utility", "authentication", "authentication_international", "service"};

}  // namespace

std::string_view categoryName(Category category) noexcept {
  const auto index = static_cast<std::size_t>(category);
  // An out-of-range value can only come from a bad cast; name it rather than read past the array.
  return index < kCategoryCount ? kCategoryNames[index] : std::string_view{"unknown"};
}

std::optional<Category> parseCategory(std::string_view text) noexcept {
  for (const Category category : kAllCategories) {
    if (kCategoryNames[static_cast<std::size_t>(category)] == text) return category;
  }
  return std::nullopt;
}

}  // namespace creditgate
