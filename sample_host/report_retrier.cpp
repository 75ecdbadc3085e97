#include "report_retrier.hpp"

#include <algorithm>
#include <utility>

namespace sample_gateway {
namespace api = creditgate::api;

std::uint32_t PendingReport::failed() const {
  return static_cast<std::uint32_t>(
      std::count(deliveries.begin(), deliveries.end(), api::Delivery::failed));
}

ReportRetrier::ReportRetrier(api::CreditGate& gate, RetryPolicy policy, Listener& listener)
    : gate_(gate), policy_(policy), listener_(listener), thread_([this] { resendLoop(); }) {}

ReportRetrier::~ReportRetrier() {
  if (thread_.joinable()) finish();
}

void ReportRetrier::add(PendingReport report, const api::Settlement& refusal) {
  const Clock::time_point now = Clock::now();
  Entry entry{UnacceptedReport{std::move(report), refusal, 1}, now, now, Backoff(policy_)};
  entry.next_try = now + entry.backoff.next();
  {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [this] { return pending_.size() < kMaxPending; });
    pending_.push_back(std::move(entry));
  }
  work_.notify_one();
}

std::size_t ReportRetrier::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

std::vector<UnacceptedReport> ReportRetrier::finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
  }
  work_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  return given_up_;
}

std::vector<UnacceptedReport> ReportRetrier::unaccepted() const {
  std::lock_guard lock(mutex_);
  std::vector<UnacceptedReport> all = given_up_;
  for (const Entry& entry : pending_) all.push_back(entry.state);
  return all;
}

void ReportRetrier::resendLoop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (pending_.empty()) {
      if (finishing_) return;
      work_.wait(lock);
      continue;
    }
    auto due =
        std::min_element(pending_.begin(), pending_.end(),
                         [](const Entry& a, const Entry& b) { return a.next_try < b.next_try; });
    if (tooLate(*due)) {
      remove(*due, lock, std::nullopt);  // e.g. give_up_after 0: never re-sent
    } else if (due->next_try > Clock::now()) {
      // Woken early by a new report (which may be due sooner) or by finish().
      work_.wait_until(lock, due->next_try);
    } else {
      resend(*due, lock);
    }
  }
}

// The one rule for both calls (RetryPolicy): no retry starts later than give_up_after after the
// first attempt.
bool ReportRetrier::tooLate(const Entry& entry) const {
  return entry.next_try - entry.first_refused > policy_.give_up_after;
}

// Called with the lock held; re-sends without it. Only this thread removes entries, and a list
// keeps an entry in place while others are added, so `entry` stays valid meanwhile.
void ReportRetrier::resend(Entry& entry, std::unique_lock<std::mutex>& lock) {
  const PendingReport& report = entry.state.report;
  std::vector<api::RecipientOutcome> outcomes;
  outcomes.reserve(report.recipients.size());
  for (std::size_t i = 0; i < report.recipients.size(); ++i) {
    outcomes.push_back({report.recipients[i], report.deliveries[i]});
  }
  lock.unlock();
  const api::Settlement answer = gate_.report(api::OutcomeReport{
      .tenant_id = report.tenant_id, .batch_id = report.batch_id, .outcomes = outcomes});
  lock.lock();

  ++entry.state.attempts;
  entry.state.last_answer = answer;
  entry.next_try = Clock::now() + entry.backoff.next();
  if (answer.ok) {
    remove(entry, lock, answer);
  } else if (tooLate(entry)) {
    remove(entry, lock, std::nullopt);  // said now rather than after one more pointless wait
  }
}

// Takes `entry` off the list: accepted with `accepted`, or given up without. Tells the listener
// without the lock.
void ReportRetrier::remove(Entry& entry, std::unique_lock<std::mutex>& lock,
                           const std::optional<api::Settlement>& accepted) {
  UnacceptedReport state = std::move(entry.state);
  pending_.remove_if([&entry](const Entry& e) { return &e == &entry; });
  if (!accepted) given_up_.push_back(state);
  lock.unlock();
  room_.notify_one();
  if (accepted) {
    listener_.reportAccepted(state.report, *accepted, state.attempts);
  } else {
    listener_.reportNotAccepted(state);
  }
  lock.lock();
}

}  // namespace sample_gateway
