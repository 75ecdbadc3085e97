#include "group_commit.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <optional>

namespace creditgate {

// One decision waiting for (or in) a flush. It shares its request with the caller: the flusher
// keeps it alive when the caller has given up (after a timeout).
struct GroupCommit::Pending {
  enum class State { queued, in_flight, withdrawn };

  explicit Pending(std::shared_ptr<const DecisionRequest> r) : request(std::move(r)) {}

  std::shared_ptr<const DecisionRequest> request;
  Database::Deadline deadline;
  State state = State::queued;  // guarded by GroupCommit::mutex_
  std::promise<LedgerDecision> result;
};

namespace {
constexpr auto kPeakWindow = std::chrono::milliseconds(100);
}  // namespace

GroupCommit::GroupCommit(Decisions& decisions, int flushers, int max_batches,
                         std::chrono::microseconds gather, OnFallback on_fallback,
                         OnGathered on_gathered)
    : decisions_(decisions),
      max_batches_(static_cast<std::size_t>(max_batches)),
      gather_(gather),
      on_fallback_(std::move(on_fallback)),
      on_gathered_(std::move(on_gathered)) {
  for (int i = 0; i < flushers; ++i) flushers_.emplace_back([this] { flushLoop(); });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  arrived_.notify_all();
  for (auto& flusher : flushers_) flusher.join();
}

LedgerDecision GroupCommit::decide(std::shared_ptr<const DecisionRequest> request,
                                   Database::Deadline deadline) {
  auto pending = std::make_shared<Pending>(std::move(request));
  pending->deadline = deadline;
  std::future<LedgerDecision> result = pending->result.get_future();
  // Wake only a flusher that can act on this decision: an idle one if it can be taken now, or one
  // gathering if every caller it waits for is now back. A decision of a tenant in a running flush
  // is taken by that flusher when it is done; waking idle ones for it would cost every decision
  // thread switches for nothing.
  enum class Wake { none, idle, gatherer } wake = Wake::none;
  const auto now = std::chrono::steady_clock::now();  // read before the lock, not while holding it
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(pending);
    ++unanswered_;
    noteCaller(now);
    if (gatherers_ != 0) {
      if (gatheredEnough()) wake = Wake::gatherer;
    } else if (tenants_in_flight_.count(pending->request->tenant_id) == 0) {
      wake = Wake::idle;
    }
  }
  if (wake == Wake::idle) queued_.notify_one();
  if (wake == Wake::gatherer) arrived_.notify_all();
  if (result.wait_until(deadline) == std::future_status::ready) return result.get();

  std::unique_lock lock(mutex_);
  if (pending->state == Pending::State::queued) {
    pending->state = Pending::State::withdrawn;  // the flusher drops it: nothing was sent
    --unanswered_;
    throw LedgerError(LedgerError::Kind::timeout,
                      "no flush reached the ledger before the decision deadline; nothing was sent");
  }
  lock.unlock();
  if (result.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return result.get();
  throw LedgerError(LedgerError::Kind::in_doubt,
                    "the decision deadline passed while the ledger was deciding");
}

// Moves the queued decisions whose tenants no other flush holds into `batch`, in arrival order.
// A second request for a batch id already taken waits for the next flush, and so does everything
// of its tenant queued after it: each tenant's decisions are made in the order they arrived.
bool GroupCommit::takeEligible(std::vector<std::shared_ptr<Pending>>& batch) {
  std::deque<std::shared_ptr<Pending>> left;
  std::set<std::string, std::less<>> taken;
  std::set<std::string, std::less<>> held_back;  // tenants with a request left for the next flush
  auto same_batch_taken = [&](const Pending& pending) {
    return std::any_of(batch.begin(), batch.end(), [&](const auto& other) {
      return other->request->batch_id == pending.request->batch_id &&
             other->request->tenant_id == pending.request->tenant_id;
    });
  };
  for (auto& pending : queue_) {
    if (pending->state == Pending::State::withdrawn) continue;
    const bool busy = tenants_in_flight_.count(pending->request->tenant_id) != 0 &&
                      taken.count(pending->request->tenant_id) == 0;
    if (busy || batch.size() >= max_batches_ || held_back.count(pending->request->tenant_id) != 0 ||
        same_batch_taken(*pending)) {
      held_back.insert(pending->request->tenant_id);
      left.push_back(std::move(pending));
      continue;
    }
    pending->state = Pending::State::in_flight;
    taken.insert(pending->request->tenant_id);
    batch.push_back(std::move(pending));
  }
  queue_.swap(left);
  tenants_in_flight_.insert(taken.begin(), taken.end());
  return !batch.empty();
}

void GroupCommit::noteCaller(std::chrono::steady_clock::time_point now) {
  if (now - peak_since_ >= kPeakWindow) {
    // After a quiet spell, the callers seen before it are not coming back.
    peak_before_ = now - peak_since_ < 2 * kPeakWindow ? peak_now_ : 0;
    peak_now_ = 0;
    peak_since_ = now;
  }
  peak_now_ = std::max(peak_now_, unanswered_);
}

// Queued decisions a free flusher could take now (a tenant in a running flush cannot be taken).
std::size_t GroupCommit::eligibleCount() const {
  return static_cast<std::size_t>(std::count_if(queue_.begin(), queue_.end(), [&](const auto& p) {
    return p->state != Pending::State::withdrawn &&
           tenants_in_flight_.count(p->request->tenant_id) == 0;
  }));
}

// Whether fewer decisions wait for an answer than did at once recently: callers answered and on
// their way back (or gone; the peak forgets them within two windows).
bool GroupCommit::callersOut() const {
  return unanswered_ < std::max(peak_now_, peak_before_);
}

// The one condition that ends a gathering: every caller back, a full flush queued, or stopping. A
// new decision wakes the gatherers on the same condition.
bool GroupCommit::gatheredEnough() const {
  return stopping_ || !callersOut() || eligibleCount() >= max_batches_;
}

void GroupCommit::gather(std::unique_lock<std::mutex>& lock) {
  if (gather_.count() == 0 || gatheredEnough()) return;
  ++gatherers_;
  const bool complete = arrived_.wait_for(lock, gather_, [this] { return gatheredEnough(); });
  --gatherers_;
  if (on_gathered_) {
    lock.unlock();  // the observer counts a metric; no flusher waits on it
    on_gathered_(complete);
    lock.lock();
  }
}

void GroupCommit::flushLoop() {
  std::vector<std::shared_ptr<Pending>> batch;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return stopping_ || eligibleCount() != 0; });
      if (!stopping_) gather(lock);
      // Stopping: nothing more is sent. A decision still queued is withdrawn by its caller at its
      // deadline (ledger_timeout, nothing sent); the gateway is shutting the gate down anyway.
      if (stopping_) return;
      if (!takeEligible(batch)) continue;  // another flusher took them while this one gathered
      // More than one flush can carry: an idle flusher takes the rest.
      if (eligibleCount() != 0) queued_.notify_one();
    }
    flush(batch);
    release(batch);
  }
}

// Decisions held back for these tenants may go now: this flusher takes them itself when it looks
// at the queue again, right after, so no other flusher is woken for them.
void GroupCommit::release(const std::vector<std::shared_ptr<Pending>>& batch) {
  std::lock_guard lock(mutex_);
  for (const auto& pending : batch) tenants_in_flight_.erase(pending->request->tenant_id);
}

void GroupCommit::flush(std::vector<std::shared_ptr<Pending>>& batch) {
  // Waiting for a connection is bounded by the most patient caller; the statement itself by the
  // statement timeout every connection has.
  Database::Deadline deadline = batch.front()->deadline;
  for (const auto& pending : batch) deadline = std::max(deadline, pending->deadline);
  std::vector<std::string> requests_json;
  requests_json.reserve(batch.size());
  for (const auto& pending : batch) requests_json.push_back(decisionRequestJson(*pending->request));
  Decisions::Flush flush;
  std::optional<LedgerError> failed;
  try {
    flush = decisions_.decideAll(requests_json, deadline);
  } catch (const LedgerError& e) {
    failed = e;
  } catch (const std::exception& e) {
    failed = LedgerError(LedgerError::Kind::rejected, "internal error", e.what());
  }
  // Counted as answered before any caller is woken: a caller that decides again at once must not
  // find itself counted twice, or the flushers would wait, every flush, for one caller too many.
  {
    std::lock_guard lock(mutex_);
    unanswered_ -= batch.size();
  }
  if (failed) return failAll(batch, *failed);
  if (flush.fallback && on_fallback_) on_fallback_(batch.size(), *flush.fallback);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i]->result.set_value(std::move(flush.results[i]).take());
    } catch (const LedgerError&) {  // this batch alone was refused
      batch[i]->result.set_exception(std::current_exception());
    }
  }
}

// The whole flush failed (connection, timeout): every batch in it gets that error, each its own
// copy, so no exception object is shared between the callers' threads.
void GroupCommit::failAll(std::vector<std::shared_ptr<Pending>>& batch, const LedgerError& error) {
  for (auto& pending : batch) {
    pending->result.set_exception(
        std::make_exception_ptr(LedgerError(error.kind(), error.cause(), error.what())));
  }
}

}  // namespace creditgate
