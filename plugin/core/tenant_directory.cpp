#include "tenant_directory.hpp"

namespace creditgate {

std::optional<TenantProfile> TenantDirectory::profile(std::string_view tenant_id,
                                                      Ledger::Deadline deadline) {
  const auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(std::string(tenant_id));
        it != entries_.end() && now - it->second.fetched < max_age_) {
      return it->second.profile;
    }
  }
  // Outside the lock: a round trip must not stall other tenants' decisions.
  std::optional<TenantProfile> fetched = ledger_.tenantProfile(tenant_id, deadline);
  if (fetched) {
    std::lock_guard lock(mutex_);
    entries_[std::string(tenant_id)] = Entry{*fetched, now};
  }
  return fetched;
}

}  // namespace creditgate
