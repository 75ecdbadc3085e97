// Tenants' pricing profiles (currency, authentication-international eligibility, home market),
// cached so a decision does not pay a round trip for them. The currency never changes; eligibility
// may, so an entry is re-read once it is older than the refresh interval. Balances are never here.
// A lookup runs on the directory's own thread and the caller waits only until its deadline: a
// stalled database (stopped backends) cannot hold a decision past it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "ledger.hpp"

namespace creditgate {

class TenantDirectory {
 public:
  using Clock = std::chrono::steady_clock;

  TenantDirectory(Ledger& ledger, std::chrono::milliseconds max_age);
  ~TenantDirectory();
  TenantDirectory(const TenantDirectory&) = delete;
  TenantDirectory& operator=(const TenantDirectory&) = delete;

  // nullopt: no such tenant (not cached: an admin may add it any moment). Throws LedgerError,
  // also when the lookup has not answered by `deadline`.
  std::optional<TenantProfile> profile(std::string_view tenant_id, Ledger::Deadline deadline);

 private:
  struct Entry {
    TenantProfile profile;
    Clock::time_point fetched;
  };
  struct Lookup {
    std::string tenant_id;
    Ledger::Deadline deadline;
    std::promise<std::optional<TenantProfile>> result;
  };
  void run();

  Ledger& ledger_;
  const std::chrono::milliseconds max_age_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::condition_variable queued_;
  std::deque<std::shared_ptr<Lookup>> lookups_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace creditgate
