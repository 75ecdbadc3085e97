#include "ledger_error.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace creditgate {

const char* ledgerErrorKindName(LedgerError::Kind kind) noexcept {
  switch (kind) {
    case LedgerError::Kind::unavailable: return "unavailable";
    case LedgerError::Kind::timeout: return "timeout";
    case LedgerError::Kind::in_doubt: return "in_doubt";
    case LedgerError::Kind::rejected: return "rejected";
  }
  return "rejected";
}

std::string connectionFailureCause(const std::string& message) {
  // Most specific first: "FATAL: password authentication failed" also says "connection ... failed".
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kCauses{{
      {"authentication failed", "authentication failed"},
      {"no password supplied", "authentication failed"},
      {"pg_hba.conf", "the server does not allow this login (pg_hba.conf)"},
      {"does not exist", "the database or role does not exist"},
      {"too many connections", "the server has too many connections"},
      {"remaining connection slots", "the server has too many connections"},
      {"starting up", "the database is starting up"},
      {"shutting down", "the database is shutting down"},
      {"recovery mode", "the database is in recovery"},
      {"Connection refused", "connection refused"},
      {"timeout expired", "connect timeout"},
      {"could not translate host name", "unknown host"},
  }};
  for (const auto& [needle, cause] : kCauses) {
    if (message.find(needle) != std::string::npos) return std::string(cause);
  }
  return "cannot connect";
}

}  // namespace creditgate
