#include "tenant_directory.hpp"

namespace creditgate {

TenantDirectory::TenantDirectory(Ledger& ledger, std::chrono::milliseconds max_age)
    : ledger_(ledger), max_age_(max_age) {
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

std::optional<TenantProfile> TenantDirectory::profile(std::string_view tenant_id,
                                                      Ledger::Deadline deadline) {
  std::unique_lock lock(mutex_);
  if (auto it = entries_.find(std::string(tenant_id));
      it != entries_.end() && Clock::now() - it->second.fetched < max_age_) {
    return it->second.profile;  // the common case: no allocation, no thread hop
  }
  auto lookup = std::make_shared<Lookup>();
  lookup->tenant_id = std::string(tenant_id);
  lookup->deadline = deadline;
  std::future<std::optional<TenantProfile>> answer = lookup->result.get_future();
  lookups_.push_back(std::move(lookup));
  lock.unlock();
  queued_.notify_one();
  if (answer.wait_until(deadline) != std::future_status::ready) {
    throw LedgerError(LedgerError::Kind::timeout,
                      "the tenant lookup did not answer before the decision deadline");
  }
  return answer.get();
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
    if (Clock::now() >= lookup->deadline) {  // its caller has given up already
      lookup->result.set_exception(std::make_exception_ptr(
          LedgerError(LedgerError::Kind::timeout, "tenant lookup expired in the queue")));
      continue;
    }
    try {
      std::optional<TenantProfile> fetched = ledger_.tenantProfile(lookup->tenant_id, lookup->deadline);
      if (fetched) {
        std::lock_guard lock(mutex_);
        entries_[lookup->tenant_id] = Entry{*fetched, Clock::now()};
      }
      lookup->result.set_value(std::move(fetched));
    } catch (...) {
      lookup->result.set_exception(std::current_exception());
    }
  }
}

}  // namespace creditgate
