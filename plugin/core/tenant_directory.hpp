// Tenants' pricing profiles (currency, authentication-international eligibility, home market),
// cached so a decision does not pay a round trip for them. The currency never changes; eligibility
// may, so an entry is re-read once it is older than the refresh interval. Balances are never here.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ledger.hpp"

namespace creditgate {

class TenantDirectory {
 public:
  using Clock = std::chrono::steady_clock;

  TenantDirectory(Ledger& ledger, std::chrono::milliseconds max_age)
      : ledger_(ledger), max_age_(max_age) {}

  // nullopt: no such tenant (not cached: an admin may add it any moment). Throws LedgerError.
  std::optional<TenantProfile> profile(std::string_view tenant_id, Ledger::Deadline deadline);

 private:
  struct Entry {
    TenantProfile profile;
    Clock::time_point fetched;
  };
  Ledger& ledger_;
  const std::chrono::milliseconds max_age_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace creditgate
