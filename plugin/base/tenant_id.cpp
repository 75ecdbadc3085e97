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

}  // namespace creditgate
