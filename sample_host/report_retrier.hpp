// report() calls the plugin did not accept, re-sent in the background with bounded back-off while
// sending goes on. Re-sending the same outcomes is always safe (the first terminal state per
// recipient wins, nothing is refunded twice), so a refused report is re-sent until the plugin
// accepts it (settled, or journaled: it took responsibility) or its retry time is over. Then it is
// "not accepted": said at once, listed again at exit, and the exit status says so. Nothing is
// dropped silently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "creditgate/host_api.hpp"
#include "retry_policy.hpp"

namespace sample_gateway {

// One batch's outcomes, owned: the batch may be long gone when they are re-sent.
struct PendingReport {
  std::string tenant_id;
  std::string batch_id;
  std::vector<std::string> recipients;
  std::vector<creditgate::api::Delivery> deliveries;  // one per recipient

  std::uint32_t failed() const;
};

// A report that ran out of retry time (or was still pending at an exit at once).
struct UnacceptedReport {
  PendingReport report;
  creditgate::api::Settlement last_answer;
  unsigned attempts = 0;
};

class ReportRetrier {
 public:
  // Told what became of each report handed over. Called on the retrier's thread, one call at a
  // time, never while the retrier holds its lock.
  class Listener {
   public:
    virtual void reportAccepted(const PendingReport& report,
                                const creditgate::api::Settlement& settlement,
                                unsigned attempts) = 0;
    virtual void reportNotAccepted(const UnacceptedReport& unaccepted) = 0;

   protected:
    ~Listener() = default;
  };

  // At most this many reports wait at once: a sender handing over one more waits for room, so a
  // long outage slows sending down instead of filling memory.
  static constexpr std::size_t kMaxPending = 10'000;

  ReportRetrier(creditgate::api::CreditGate& gate, RetryPolicy policy, Listener& listener);
  ~ReportRetrier();  // finish()es if not done yet
  ReportRetrier(const ReportRetrier&) = delete;
  ReportRetrier& operator=(const ReportRetrier&) = delete;

  // Takes over a report the plugin refused once (`refusal`, ok == false). Thread-safe.
  void add(PendingReport report, const creditgate::api::Settlement& refusal);

  std::size_t pending() const;  // handed over, neither accepted nor given up yet

  // Goes on re-sending until every pending report is accepted or out of time, then ends the
  // thread. Returns every report not accepted during the whole run. Call once, after the last
  // add().
  std::vector<UnacceptedReport> finish();

  // Everything not accepted so far, pending or given up: what an exit at once must still print.
  std::vector<UnacceptedReport> unaccepted() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    UnacceptedReport state;  // the report, its last answer and attempts so far
    Clock::time_point first_refused;
    Clock::time_point next_try;
    Backoff backoff;
  };

  void resendLoop();
  bool tooLate(const Entry& entry) const;
  void resend(Entry& entry, std::unique_lock<std::mutex>& lock);
  void remove(Entry& entry, std::unique_lock<std::mutex>& lock,
              const std::optional<creditgate::api::Settlement>& accepted);

  creditgate::api::CreditGate& gate_;
  const RetryPolicy policy_;
  Listener& listener_;

  mutable std::mutex mutex_;
  std::condition_variable work_;  // a report added, or finishing
  std::condition_variable room_;  // a report left the list
  std::list<Entry> pending_;      // a list: an entry stays put while it is re-sent without the lock
  std::vector<UnacceptedReport> given_up_;
  bool finishing_ = false;
  std::thread thread_;
};

}  // namespace sample_gateway
