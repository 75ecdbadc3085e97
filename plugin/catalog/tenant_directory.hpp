// Tenants' pricing profiles (currency, authentication-international eligibility, home market),
// cached so a decision does not pay a round trip for them. The currency never changes; eligibility
// may, so an entry older than the refresh interval is re-read, in the background: the decision is
// priced from the entry it has (stale-while-revalidate). When the re-read fails (the ledger is
// down), the last known profile keeps serving for as long as the outage lasts, marked unconfirmed,
// so on_ledger_unavailable = allow_flagged can price the tenant's batches. Only a tenant never seen
// waits for the ledger, on the directory's own thread and only until the caller's deadline (a
// stalled database cannot hold a decision past it). Balances are never here.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "tenant_profiles.hpp"

namespace creditgate {

class TenantDirectory {
 public:
  using Clock = std::chrono::steady_clock;

  struct Found {
    TenantProfile profile;
    bool confirmed = true;  // false: its last re-read failed; the last known profile
  };

  // `max_age`: how long an entry is trusted; `refresh_deadline`: how long a background re-read may
  // take.
  TenantDirectory(TenantProfiles& profiles, std::chrono::milliseconds max_age,
                  std::chrono::milliseconds refresh_deadline);
  ~TenantDirectory();
  TenantDirectory(const TenantDirectory&) = delete;
  TenantDirectory& operator=(const TenantDirectory&) = delete;

  // nullopt: no such tenant (not cached: an admin may add it any moment). Throws LedgerError when a
  // tenant not cached cannot be looked up by `deadline`.
  std::optional<Found> profile(std::string_view tenant_id, Database::Deadline deadline);

 private:
  struct Entry {
    TenantProfile profile;
    Clock::time_point fetched;
    bool confirmed = true;
    bool refreshing = false;
  };
  struct Lookup {
    std::string tenant_id;
    Database::Deadline deadline;
    std::optional<std::promise<std::optional<TenantProfile>>> waiter;  // none: a background re-read
  };
  struct NameHash {  // lookups by string_view, without building a std::string
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const noexcept {
      return std::hash<std::string_view>{}(name);
    }
  };
  void run();
  void finish(Lookup& lookup);

  TenantProfiles& profiles_;
  const std::chrono::milliseconds max_age_;
  const std::chrono::milliseconds refresh_deadline_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry, NameHash, std::equal_to<>> entries_;
  std::condition_variable queued_;
  std::deque<std::shared_ptr<Lookup>> lookups_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace creditgate
