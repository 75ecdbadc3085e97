#include "tenant_id.hpp"

#include "quoted_text.hpp"

namespace creditgate {

std::optional<std::string_view> tenantIdProblem(std::string_view id) noexcept {
  if (id.empty()) return "is empty";
  if (id.size() > kMaxTenantIdLength) return "is longer than 64 bytes";
  for (const char c : id) {
    if (c <= ' ' || c >= 0x7f) return "has a space or non-printable character";
  }
  return std::nullopt;
}

std::string unknownTenantDetail(std::string_view id) {
  return "tenant_id: " + quotedText(id) + " is not a known tenant";
}

std::optional<std::string> invalidTenantIdDetail(std::string_view id) {
  const auto what = tenantIdProblem(id);
  if (!what) return std::nullopt;
  if (id.empty()) return "tenant_id is empty";
  return "tenant_id: " + quotedText(id) + " " + std::string(*what);
}

}  // namespace creditgate
