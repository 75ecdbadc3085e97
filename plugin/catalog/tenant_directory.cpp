#include "tenant_directory.hpp"

#include <algorithm>

namespace creditgate {

TenantDirectory::TenantDirectory(TenantProfiles& profiles, std::chrono::milliseconds max_age,
                                 std::chrono::milliseconds refresh_deadline)
    : profiles_(profiles), max_age_(max_age), refresh_deadline_(refresh_deadline) {
  thread_ = std::thread([this] { run(); });
}

TenantDirectory::~TenantDirectory() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  thread_.join();
}

std::optional<TenantDirectory::Found> TenantDirectory::profile(std::string_view tenant_id,
                                                               Database::Deadline deadline) {
  std::unique_lock lock(mutex_);
  if (auto it = entries_.find(tenant_id); it != entries_.end()) {
    Entry& entry = it->second;
    // The common case: a cached profile, served as it is; an old one is re-read in the background.
    if (Clock::now() - entry.fetched >= max_age_ && !entry.refreshing) {
      entry.refreshing = true;
      auto refresh = std::make_shared<Lookup>();
      refresh->tenant_id = it->first;
      refresh->deadline = Clock::now() + refresh_deadline_;
      lookups_.push_back(std::move(refresh));
      queued_.notify_one();
    }
    return Found{entry.profile, entry.confirmed};
  }
  auto lookup = std::make_shared<Lookup>();
  lookup->tenant_id = std::string(tenant_id);
  lookup->deadline = deadline;
  std::future<std::optional<TenantProfile>> answer = lookup->waiter.emplace().get_future();
  lookups_.push_back(std::move(lookup));
  lock.unlock();
  queued_.notify_one();
  if (answer.wait_until(deadline) != std::future_status::ready) {
    throw LedgerError(LedgerError::Kind::timeout, "the tenant lookup did not answer in time");
  }
  std::optional<TenantProfile> fetched = answer.get();
  if (!fetched) return std::nullopt;
  return Found{std::move(*fetched), true};
}

void TenantDirectory::run() {
  for (;;) {
    std::shared_ptr<Lookup> lookup;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !lookups_.empty(); });
      if (stopping_) return;
      lookup = std::move(lookups_.front());
      lookups_.pop_front();
    }
    finish(*lookup);
  }
}

void TenantDirectory::finish(Lookup& lookup) {
  std::optional<TenantProfile> fetched;
  std::exception_ptr failure;
  if (Clock::now() >= lookup.deadline) {  // its caller has given up already
    failure = std::make_exception_ptr(
        LedgerError(LedgerError::Kind::timeout, "the tenant lookup expired in the queue"));
  } else {
    try {
      fetched = profiles_.find(lookup.tenant_id, lookup.deadline);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(lookup.tenant_id);
    if (failure) {
      // The last known profile stays in service, marked unconfirmed, until a re-read succeeds.
      // The next re-read in a second, not at the next decision: no retry storm during an outage.
      if (it != entries_.end()) {
        it->second.refreshing = false;
        it->second.confirmed = false;
        it->second.fetched =
            Clock::now() - max_age_ + std::min<Clock::duration>(max_age_, std::chrono::seconds(1));
      }
    } else if (fetched) {
      entries_[lookup.tenant_id] = Entry{*fetched, Clock::now(), true, false};
    } else if (it != entries_.end()) {
      entries_.erase(it);  // tenants are never deleted; nothing to serve if one were
    }
  }
  if (!lookup.waiter) return;
  if (failure) {
    lookup.waiter->set_exception(failure);
  } else {
    lookup.waiter->set_value(std::move(fetched));
  }
}

}  // namespace creditgate
