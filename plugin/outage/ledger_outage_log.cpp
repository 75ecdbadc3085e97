#include "ledger_outage_log.hpp"

#include <cstdio>

namespace creditgate {
namespace {

constexpr auto kSummaryEvery = std::chrono::minutes(1);
constexpr auto kSameFailureQuietFor = std::chrono::seconds(10);
// Failures this close together are one episode: an outage began with the first of the failures
// that opened the circuit, and what was answered during them belongs to it.
constexpr auto kEpisodeGap = std::chrono::seconds(10);

std::string seconds(LedgerOutageLog::Clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", std::chrono::duration<double>(d).count());
  return text;
}

}  // namespace

LedgerOutageLog::LedgerOutageLog(api::HostServices& services, GateMetrics& metrics,
                                 ReliabilityMetrics& reliability)
    : services_(services), metrics_(metrics), reliability_(reliability) {}

void LedgerOutageLog::ledgerCallFailed(const LedgerError& error) noexcept {
  try {
    metrics_.countLedgerError(ledgerErrorKindName(error.kind()));
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    if (!open_ &&
        (last_failure_at_ == Clock::time_point{} || now - last_failure_at_ > kEpisodeGap)) {
      episode_started_at_ = now;
      resetCounts();
    }
    last_failure_at_ = now;
    ++failed_calls_;
    last_error_ = error.what();
  } catch (...) {
    // Counting never fails a call.
  }
}

void LedgerOutageLog::ledgerCircuitOpened(const LedgerError& error) noexcept {
  try {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
      // Said from the episode's first failure, with what was answered since (the calls whose
      // failures opened the circuit included), as the gateway's callers lived it.
      last_summary_at_ = Clock::now();
      opened_at_ =
          episode_started_at_ != Clock::time_point{} ? episode_started_at_ : last_summary_at_;
    }
    reliability_.setCircuitOpen(true);
    services_.log(api::LogLevel::error,
                  "creditgate: the ledger is unavailable: " + error.cause() + " (" + error.what() +
                      "); failing fast and probing it about once a second; decisions follow "
                      "policy.on_ledger_unavailable until it answers");
  } catch (...) {
  }
}

void LedgerOutageLog::ledgerCircuitClosed() noexcept {
  try {
    std::string line;
    {
      std::lock_guard lock(mutex_);
      if (!open_) return;
      open_ = false;
      line = "creditgate: the ledger answers again after " + seconds(Clock::now() - opened_at_) +
             " (" + countsText() + ")";
      resetCounts();
      last_failure_at_ = episode_started_at_ = Clock::time_point{};
    }
    reliability_.setCircuitOpen(false);
    services_.log(api::LogLevel::info, line);
  } catch (...) {
  }
}

void LedgerOutageLog::answeredWithoutLedger(const LedgerError& error, Answer answer) noexcept {
  try {
    std::string line;
    {
      std::lock_guard lock(mutex_);
      ++answers_[static_cast<std::size_t>(answer)];
      // An outage has its own lines; a ledger that cannot be reached opens the circuit within three
      // failures, so its first failures are said by the line that says it opened (and counted).
      if (open_ || error.kind() == LedgerError::Kind::unavailable) return;
      const auto kind = static_cast<std::size_t>(error.kind());
      const auto now = Clock::now();
      if (last_logged_[kind] != Clock::time_point{} &&
          now - last_logged_[kind] < kSameFailureQuietFor) {
        ++unlogged_[kind];
        return;
      }
      line = "creditgate: ledger " + std::string(ledgerErrorKindName(error.kind())) + ": " +
             error.cause() + " (" + error.what() + ")";
      if (unlogged_[kind] > 0) {
        line += "; " + std::to_string(unlogged_[kind]) + " more like it since the last such line";
      }
      last_logged_[kind] = now;
      unlogged_[kind] = 0;
    }
    services_.log(
        error.kind() == LedgerError::Kind::timeout ? api::LogLevel::warning : api::LogLevel::error,
        line);
  } catch (...) {
  }
}

void LedgerOutageLog::flushFellBack(std::size_t batches, const std::string& why) noexcept {
  try {
    std::string line;
    {
      std::lock_guard lock(mutex_);
      const auto now = Clock::now();
      if (fallback_logged_ != Clock::time_point{} && now - fallback_logged_ < kSummaryEvery) {
        ++fallbacks_unlogged_;
        return;
      }
      line = "creditgate: a flush of " + std::to_string(batches) +
             " batches was decided one batch at a time (" + why + ")";
      if (fallbacks_unlogged_ > 0) {
        line += "; " + std::to_string(fallbacks_unlogged_) + " more since the last such line";
      }
      fallback_logged_ = now;
      fallbacks_unlogged_ = 0;
    }
    services_.log(api::LogLevel::warning, line);
  } catch (...) {
  }
}

void LedgerOutageLog::tick() noexcept {
  try {
    std::string line;
    {
      std::lock_guard lock(mutex_);
      const auto now = Clock::now();
      if (!open_ || now - last_summary_at_ < kSummaryEvery) return;
      last_summary_at_ = now;
      line = "creditgate: the ledger is still unavailable after " + seconds(now - opened_at_) +
             " (" + countsText() + "; last error: " + last_error_ + ")";
    }
    services_.log(api::LogLevel::error, line);
  } catch (...) {
  }
}

std::string LedgerOutageLog::countsText() const {
  auto n = [this](Answer answer) {
    return std::to_string(answers_[static_cast<std::size_t>(answer)]);
  };
  return std::to_string(failed_calls_) + " calls failed; decisions: " + n(Answer::blocked) +
         " blocked, " + n(Answer::allowed_flagged) + " allowed flagged, " + n(Answer::in_doubt) +
         " in doubt; reports: " + n(Answer::report_journaled) + " journaled, " +
         n(Answer::report_refused) + " refused";
}

void LedgerOutageLog::resetCounts() {
  failed_calls_ = 0;
  answers_.fill(0);
}

}  // namespace creditgate
