// Group commit: concurrent decide() calls, for one tenant or many, are gathered into one database
// transaction per flush (sql/012_group_commit.sql). Durability is not relaxed: each flush is one
// durable commit shared by all its batches. A flush starts as soon as a flusher thread is free
// (no timers): under load, decisions that arrive while one flush runs form the next one. A tenant
// is in at most one flush of this instance at a time: a second flush would only wait for the first
// one's row lock, so its decisions are better off joining the next flush. Two requests with the
// same batch id never share a flush either: the second one joins the next and is answered as a
// retry. Flushes run on the flusher threads, never on the caller's: a stalled database then costs
// the caller its decision deadline, not its thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "decisions.hpp"

namespace creditgate {

class GroupCommit {
 public:
  // Told of each flush the ledger could not take whole and decided one batch at a time (`why`).
  using OnFallback = std::function<void(std::size_t batches, const std::string& why)>;

  // `flushers` flushes may run at once (at most the pool size: each holds one connection);
  // each carries at most `max_batches` decisions.
  GroupCommit(Decisions& decisions, int flushers, int max_batches, OnFallback on_fallback = {});
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Same contract as Decisions::decide: the verdict of this batch, or LedgerError. Past the
  // deadline while still queued, the batch is withdrawn (nothing was sent: timeout); past it while
  // its flush runs, the outcome is unknown (in_doubt: retry with the same batch_id).
  // The request is shared: a caller that gives up leaves it to the flush that carries it.
  LedgerDecision decide(std::shared_ptr<const DecisionRequest> request,
                        Database::Deadline deadline);

 private:
  struct Pending;
  void flushLoop();
  bool takeEligible(std::vector<std::shared_ptr<Pending>>& batch);  // under mutex_
  void flush(std::vector<std::shared_ptr<Pending>>& batch);
  void release(const std::vector<std::shared_ptr<Pending>>& batch);  // its tenants
  static void failAll(std::vector<std::shared_ptr<Pending>>& batch, const LedgerError& error);

  Decisions& decisions_;
  const std::size_t max_batches_;
  const OnFallback on_fallback_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<std::shared_ptr<Pending>> queue_;
  std::set<std::string, std::less<>> tenants_in_flight_;
  bool stopping_ = false;
  std::vector<std::thread> flushers_;
};

}  // namespace creditgate
