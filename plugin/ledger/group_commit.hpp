// Group commit: concurrent decide() calls, for one tenant or many, are gathered into one database
// transaction per flush (sql/012_group_commit.sql). Durability is not relaxed: each flush is one
// durable commit shared by all its batches. A flush starts as soon as a flusher thread is free
// (or after a short, bounded gathering, below): under load, decisions that arrive while one flush
// runs form the next one. A tenant is in at most one flush of this instance at a time: a second
// flush would only wait for the first one's row lock, so its decisions are better off joining the
// next flush. Two requests with the same batch id never share a flush either: the second one joins
// the next and is answered as a retry. Flushes run on the flusher threads, never on the caller's:
// a stalled database then costs the caller its decision deadline, not its thread.
//
// Gathering (`gather`, off at zero): like PostgreSQL's commit_delay with commit_siblings, a free
// flusher may wait a little before it takes the queue, but only while fewer decisions wait for an
// answer than did at once recently: the callers of the flush just answered are on their way back.
// In-process they come back within microseconds; over HTTP a round trip takes about a millisecond,
// and without the wait a hot tenant's callers split into two groups that take turns, each paying a
// commit for half of them. A lone caller (the recent peak is one) never waits, nor does a flusher
// while every recent caller still waits, queued behind another tenant's flush, say.
#pragma once

#include <chrono>
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
  // Told of each time a free flusher waited for callers coming back: whether all it waited for
  // came (`complete`) or the wait ran out (at `gather`).
  using OnGathered = std::function<void(bool complete)>;

  // `flushers` flushes may run at once (at most the pool size: each holds one connection);
  // each carries at most `max_batches` decisions; a free flusher waits at most `gather` for the
  // callers it expects back (zero: it never waits).
  GroupCommit(Decisions& decisions, int flushers, int max_batches,
              std::chrono::microseconds gather = std::chrono::microseconds(0),
              OnFallback on_fallback = {}, OnGathered on_gathered = {});
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
  std::size_t eligibleCount() const;                                // under mutex_
  bool callersOut() const;                                          // under mutex_
  bool gatheredEnough() const;                                      // under mutex_
  void noteCaller(std::chrono::steady_clock::time_point now);       // under mutex_
  void gather(std::unique_lock<std::mutex>& lock);
  void flush(std::vector<std::shared_ptr<Pending>>& batch);
  void release(const std::vector<std::shared_ptr<Pending>>& batch);  // its tenants
  static void failAll(std::vector<std::shared_ptr<Pending>>& batch, const LedgerError& error);

  Decisions& decisions_;
  const std::size_t max_batches_;
  const std::chrono::microseconds gather_;
  const OnFallback on_fallback_;
  const OnGathered on_gathered_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::condition_variable arrived_;  // wakes flushers that gather; only they wait on it
  std::deque<std::shared_ptr<Pending>> queue_;
  std::set<std::string, std::less<>> tenants_in_flight_;
  std::size_t gatherers_ = 0;  // flushers waiting in gather()
  // Decisions waiting for an answer (queued or in a flush), and the most seen at once in this and
  // the previous window: the number a flusher expects back. Windows of kPeakWindow forget callers
  // that stopped.
  std::size_t unanswered_ = 0;
  std::size_t peak_now_ = 0;
  std::size_t peak_before_ = 0;
  std::chrono::steady_clock::time_point peak_since_{};
  bool stopping_ = false;
  std::vector<std::thread> flushers_;
};

}  // namespace creditgate
