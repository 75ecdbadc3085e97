// Catches the ledger up once it answers again: a background thread replays the journal
// (ledger_journal.hpp) in order, with the original batch ids, so every entry is taken exactly once
// (a replay of a batch that did reach the ledger is recognised by its id, outcomes by recipient),
// and resolves decisions in doubt whose grace period has passed (voids the debits no host was told
// of). The draining is logged (start, what it took, done) and counted.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "creditgate/host_api.hpp"
#include "decisions.hpp"
#include "doubts.hpp"
#include "gate_metrics.hpp"
#include "ledger_journal.hpp"
#include "ledger_outage_log.hpp"
#include "periodic_thread.hpp"
#include "reliability_metrics.hpp"
#include "settlements.hpp"

namespace creditgate {

class JournalReplay {
 public:
  // The ledger's domains a replay reaches.
  struct Ledger {
    Decisions& decisions;
    Settlements& settlements;
    Doubts& doubts;
  };
  struct Options {
    std::string journal_path;  // "" = in memory only
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds deadline{2000};
    std::function<int()> in_doubt_grace_ms;  // the live failure.in_doubt_grace_s
  };

  // Throws std::runtime_error when the journal file cannot be opened or read (ledger_journal.hpp).
  JournalReplay(Ledger ledger, api::HostServices& services, GateMetrics& metrics,
                ReliabilityMetrics& reliability, LedgerOutageLog& outage_log, Options options);
  JournalReplay(const JournalReplay&) = delete;
  JournalReplay& operator=(const JournalReplay&) = delete;

  bool durable() const { return journal_.durable(); }

  // on_ledger_unavailable = allow_flagged: the decision is journaled for replay with policy
  // "outage"; false when the tenant's pending outage decisions would pass `cap_micros`. The replay
  // debits even past the normal floor, by at most the cap: what the admins allowed.
  bool journalDecision(DecisionRequest request, std::int64_t price_micros, std::int64_t cap_micros);
  // A report the ledger could not take. Only into a durable journal (the host re-sends otherwise).
  void journalOutcomes(std::string_view tenant_id, std::string_view batch_id,
                       std::span<const std::string_view> recipients,
                       std::span<const bool> delivered);
  // A decide() attempt whose answer was lost.
  void journalDoubt(std::string_view tenant_id, std::string_view batch_id, std::int64_t attempt_id);
  // All three throw std::runtime_error when the disk refuses: then nothing was journaled.

  int replayNow();         // replays what is pending; how many entries the ledger took
  int resolveDoubtsNow();  // how many doubts the ledger resolved (voided, kept or not recorded)
  LedgerJournal::Counts pending() const { return journal_.counts(); }

 private:
  void round();
  bool replay(const LedgerJournal::Entry& entry);  // true: taken or refused for good (done)
  void updatePendingMetric();

  const Ledger ledger_;
  api::HostServices& services_;
  GateMetrics& metrics_;
  ReliabilityMetrics& reliability_;
  LedgerOutageLog& outage_log_;
  const Options options_;
  LedgerJournal journal_;
  std::mutex replay_mutex_;  // one replay at a time: the thread's or a test's
  // The drain in progress: what it took, for its closing log line; entries the ledger refused
  // (logged once each, retried every round in case it was fixed). Under replay_mutex_.
  bool draining_ = false;
  LedgerJournal::Counts drained_{};
  std::set<std::uint64_t> stuck_;
  std::chrono::steady_clock::time_point last_sweep_{};  // the thread's only
  PeriodicThread thread_;                               // last: it uses everything above
};

}  // namespace creditgate
