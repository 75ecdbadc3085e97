// What an outage of the ledger looks like in the gateway's log, and in the metrics: one line when
// the circuit opens (with the root cause), a summary every minute while it stays open, one line
// when it closes, instead of one error per decision. Failures outside an outage (a lost answer, a
// refused call, a locked row) are logged at most once per kind every 10 s, with a count of the
// rest; a ledger that cannot be reached is said by the line of the circuit it opens. Every failed
// call is counted in creditgate_ledger_errors_total as it happens.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "creditgate/host_api.hpp"
#include "database.hpp"
#include "gate_metrics.hpp"
#include "reliability_metrics.hpp"

namespace creditgate {

class LedgerOutageLog final : public LedgerObserver {
 public:
  using Clock = std::chrono::steady_clock;

  LedgerOutageLog(api::HostServices& services, GateMetrics& metrics,
                  ReliabilityMetrics& reliability);

  void ledgerCallFailed(const LedgerError& error) noexcept override;
  void ledgerCircuitOpened(const LedgerError& error) noexcept override;
  void ledgerCircuitClosed() noexcept override;

  // What a decision or report the ledger could not answer was answered instead.
  enum class Answer { blocked, allowed_flagged, in_doubt, report_journaled, report_refused };
  void answeredWithoutLedger(const LedgerError& error, Answer answer) noexcept;

  // A flush went one batch at a time (`why`: the database's reason): logged at most once a minute,
  // with how many did since; a fast path that keeps failing must show.
  void flushFellBack(std::size_t batches, const std::string& why) noexcept;

  // Logs the minute's summary when one is due (called by a background thread).
  void tick() noexcept;

 private:
  static constexpr std::size_t kAnswers = 5;
  static constexpr std::size_t kKinds = 4;
  std::string countsText() const;  // under mutex_
  void resetCounts();              // under mutex_

  api::HostServices& services_;
  GateMetrics& metrics_;
  ReliabilityMetrics& reliability_;
  std::mutex mutex_;
  bool open_ = false;
  Clock::time_point opened_at_{};           // of the outage: its episode's first failure
  Clock::time_point episode_started_at_{};  // first failure of the current run of failures
  Clock::time_point last_failure_at_{};
  Clock::time_point last_summary_at_{};
  std::uint64_t failed_calls_ = 0;
  std::array<std::uint64_t, kAnswers> answers_{};
  std::string last_error_;
  // Outside an outage: when each kind of failure was last logged, and how many were not since.
  std::array<Clock::time_point, kKinds> last_logged_{};
  std::array<std::uint64_t, kKinds> unlogged_{};
  Clock::time_point fallback_logged_{};
  std::uint64_t fallbacks_unlogged_ = 0;
};

}  // namespace creditgate
