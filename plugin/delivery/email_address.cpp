#include "email_address.hpp"

#include <cstddef>

namespace creditgate {

namespace {

constexpr std::size_t kMaxLocalPart = 64;
constexpr std::size_t kMaxLabel = 63;

bool isAlnum(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext, and '.' (the rule does not judge where dots go: servers do not either).
bool isLocalPartChar(char c) noexcept {
  return isAlnum(c) || std::string_view(".!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

// [A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?
bool isLabel(std::string_view label) noexcept {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (!isAlnum(label.front()) || !isAlnum(label.back())) return false;
  for (const char c : label) {
    if (!isAlnum(c) && c != '-') return false;
  }
  return true;
}

}  // namespace

bool isEmailAddress(std::string_view address) noexcept {
  if (address.size() > kMaxEmailAddressLength) return false;
  const std::size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at > kMaxLocalPart) return false;
  for (const char c : address.substr(0, at)) {
    if (!isLocalPartChar(c)) return false;
  }
  std::string_view domain = address.substr(at + 1);  // a second '@' fails isLabel
  while (true) {
    const std::size_t dot = domain.find('.');
    if (!isLabel(domain.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    domain.remove_prefix(dot + 1);
  }
}

}  // namespace creditgate
