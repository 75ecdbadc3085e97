// Ids for decide() calls, so the ledger knows which calls got a batch's verdict
// (sql/014_doubt_and_outage.sql). Unique across gateway instances without coordination: a random
// start per instance, then a counter; 62 bits, positive, so they fit PostgreSQL's bigint and two
// instances would need billions of calls each to meet by chance. Never 0 (0 means "no id").
#pragma once

#include <atomic>
#include <cstdint>
#include <random>

namespace creditgate {

class AttemptIds {
 public:
  AttemptIds() {
    std::random_device entropy;
    next_ = (std::uint64_t{entropy()} << 32) ^ entropy();
  }

  std::int64_t next() noexcept {
    constexpr std::uint64_t kMask = (std::uint64_t{1} << 62) - 1;
    std::uint64_t id = next_.fetch_add(1, std::memory_order_relaxed) & kMask;
    if (id == 0) id = 1;
    return static_cast<std::int64_t>(id);
  }

 private:
  std::atomic<std::uint64_t> next_{0};
};

}  // namespace creditgate
