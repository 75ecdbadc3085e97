// WhatsApp template categories: what Meta prices a template message by, besides its market.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace creditgate {

enum class Category : std::uint8_t {
  marketing = 0,
  utility = 1,
  authentication = 2,
  authentication_international = 3,
  service = 4,
};

inline constexpr std::size_t kCategoryCount = 5;

inline constexpr std::array<Category, kCategoryCount> kAllCategories = {
    Category::marketing, Category::utility, Category::authentication,
    Category::authentication_international, Category::service};

// "marketing", "utility", ... exactly as the host API and the database spell them.
std::string_view categoryName(Category category) noexcept;

// Exact, case-sensitive match of categoryName(); nullopt for anything else.
std::optional<Category> parseCategory(std::string_view text) noexcept;

}  // namespace creditgate
