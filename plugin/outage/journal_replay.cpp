#include "journal_replay.hpp"

#include <cstdio>
#include <ctime>

#include "decimal_micros.hpp"
#include "quoted_text.hpp"

namespace creditgate {
namespace {

// Doubts are few; looking for due ones every few seconds is plenty (each instance does it).
constexpr auto kSweepEvery = std::chrono::seconds(5);
constexpr int kSweepLimit = 100;

// "2026-11-29T19:52:16.123456Z": when a batch was sent, for its record when it is replayed.
std::string utcTimestamp(std::int64_t unix_micros) {
  const std::time_t seconds = static_cast<std::time_t>(unix_micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%06lldZ",
                static_cast<long long>(unix_micros % 1'000'000));
  return text;
}

std::string countsText(const LedgerJournal::Counts& c) {
  return std::to_string(c.decisions) + " outage decisions, " + std::to_string(c.outcomes) +
         " reports, " + std::to_string(c.doubts) + " decisions in doubt";
}

}  // namespace

JournalReplay::JournalReplay(Ledger ledger, api::HostServices& services, GateMetrics& metrics,
                             ReliabilityMetrics& reliability, LedgerOutageLog& outage_log,
                             Options options)
    : ledger_(ledger),
      services_(services),
      metrics_(metrics),
      reliability_(reliability),
      outage_log_(outage_log),
      options_(std::move(options)),
      journal_(options_.journal_path),
      thread_(options_.interval, PeriodicThread::Start::now, [this] { round(); }) {
  if (const auto c = journal_.counts(); c.decisions + c.outcomes + c.doubts > 0) {
    services_.log(api::LogLevel::warning, "creditgate: outage journal " + journal_.path() +
                                              " holds " + countsText(c) +
                                              " from an earlier run; replaying them");
  }
  updatePendingMetric();
}

bool JournalReplay::journalDecision(DecisionRequest request, std::int64_t price_micros,
                                    std::int64_t cap_micros) {
  // Sent is sent: the replay must debit it whatever the balance then, within the outage cap, and
  // record it as sent unverified (allow_flagged, ledger_unavailable).
  request.policy = "outage";
  request.overdraft_limit_micros += cap_micros;
  request.decided_at = utcTimestamp(services_.nowUnixMicros());  // sent now, debited on replay
  LedgerJournal::Entry entry;
  entry.tenant_id = request.tenant_id;
  entry.batch_id = request.batch_id;
  entry.currency = request.currency;
  entry.price_micros = price_micros;
  entry.request_json = decisionRequestJson(request);
  const bool journaled = journal_.appendDecision(std::move(entry), cap_micros).has_value();
  updatePendingMetric();
  return journaled;
}

void JournalReplay::journalOutcomes(std::string_view tenant_id, std::string_view batch_id,
                                    std::span<const std::string_view> recipients,
                                    std::span<const bool> delivered) {
  LedgerJournal::Entry entry;
  entry.kind = LedgerJournal::Kind::outcomes;
  entry.tenant_id = std::string(tenant_id);
  entry.batch_id = std::string(batch_id);
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    entry.outcomes.push_back({std::string(recipients[i]), delivered[i]});
  }
  journal_.append(std::move(entry));
  updatePendingMetric();
}

void JournalReplay::journalDoubt(std::string_view tenant_id, std::string_view batch_id,
                                 std::int64_t attempt_id) {
  LedgerJournal::Entry entry;
  entry.kind = LedgerJournal::Kind::doubt;
  entry.tenant_id = std::string(tenant_id);
  entry.batch_id = std::string(batch_id);
  entry.attempt_id = attempt_id;
  journal_.append(std::move(entry));
  updatePendingMetric();
}

void JournalReplay::round() {
  outage_log_.tick();
  const LedgerJournal::Counts c = journal_.counts();
  if (c.decisions + c.outcomes + c.doubts > 0) replayNow();
  if (const auto now = std::chrono::steady_clock::now(); now - last_sweep_ >= kSweepEvery) {
    last_sweep_ = now;  // only this thread touches it
    resolveDoubtsNow();
  }
}

// One entry to the ledger. Throws LedgerError (not rejected) while the ledger cannot answer.
bool JournalReplay::replay(const LedgerJournal::Entry& entry) {
  const auto deadline = Database::Clock::now() + options_.deadline;
  const std::string what =
      "journaled " +
      std::string(entry.kind == LedgerJournal::Kind::decision   ? "batch "
                  : entry.kind == LedgerJournal::Kind::outcomes ? "outcomes of batch "
                                                                : "doubt about batch ") +
      quotedText(entry.batch_id) + " of tenant " + quotedText(entry.tenant_id);
  switch (entry.kind) {
    case LedgerJournal::Kind::decision: {
      const auto results = ledger_.decisions.decideAll({&entry.request_json, 1}, deadline).results;
      if (results[0].error) {
        if (!stuck_.count(entry.seq)) {
          services_.log(api::LogLevel::error, "creditgate: " + what + " refused by the ledger: " +
                                                  *results[0].error + "; it stays journaled");
        }
        return false;
      }
      const LedgerDecision& d = results[0].decision;
      if (d.decision == api::Decision::block) {
        // e.g. batch_conflict: the id was reused for other content. Sent, but not debitable.
        services_.log(api::LogLevel::error, "creditgate: " + what +
                                                " was sent during the outage "
                                                "but could not be debited: " +
                                                api::reasonCode(d.reason));
        return true;
      }
      if (!d.replayed) metrics_.countMoney("debit", d.currency, d.charged_micros);
      return true;
    }
    case LedgerJournal::Kind::outcomes: {
      std::vector<std::string_view> recipients;
      auto delivered = std::make_unique<bool[]>(entry.outcomes.size());
      for (std::size_t i = 0; i < entry.outcomes.size(); ++i) {
        recipients.push_back(entry.outcomes[i].recipient);
        delivered[i] = entry.outcomes[i].delivered;
      }
      const LedgerSettlement s = ledger_.settlements.settle(
          entry.tenant_id, entry.batch_id, recipients,
          std::span<const bool>(delivered.get(), entry.outcomes.size()), deadline);
      if (s.reason != api::Reason::ok) {
        services_.log(api::LogLevel::error, "creditgate: " + what + " could not be settled: " +
                                                api::reasonCode(s.reason));
        return true;
      }
      metrics_.countMoney("refund", s.currency, s.refunded_micros);
      return true;
    }
    case LedgerJournal::Kind::doubt:
      ledger_.doubts.note(entry.tenant_id, entry.batch_id, entry.attempt_id, deadline);
      return true;
  }
  return true;
}

int JournalReplay::replayNow() {
  std::lock_guard lock(replay_mutex_);
  int taken = 0;
  bool interrupted = false;  // the ledger stopped answering mid-way
  const LedgerJournal::Counts before = journal_.counts();
  for (const LedgerJournal::Entry& entry : journal_.pending()) {
    bool done = false;
    try {
      done = replay(entry);
    } catch (const LedgerError& e) {
      if (e.kind() != LedgerError::Kind::rejected) {
        interrupted = true;
        break;  // still down: the next round tries again, in order
      }
      if (stuck_.insert(entry.seq).second) {
        services_.log(api::LogLevel::error, std::string("creditgate: the ledger refused journal "
                                                        "entry ") +
                                                std::to_string(entry.seq) +
                                                "; it stays journaled: " + e.what());
      }
      continue;
    } catch (const std::exception& e) {
      services_.log(api::LogLevel::error,
                    std::string("creditgate: outage journal replay failed: ") + e.what());
      interrupted = true;
      break;
    }
    if (!done) {
      if (stuck_.insert(entry.seq).second)
        reliability_.countJournalReplayed(journalKindName(entry.kind), false);
      continue;
    }
    if (!draining_) {
      draining_ = true;
      drained_ = {};
      services_.log(api::LogLevel::info, "creditgate: the ledger answers: replaying the journal (" +
                                             countsText(before) + ")");
    }
    journal_.markDone(entry.seq);
    stuck_.erase(entry.seq);
    reliability_.countJournalReplayed(journalKindName(entry.kind), true);
    ++taken;
    switch (entry.kind) {
      case LedgerJournal::Kind::decision: ++drained_.decisions; break;
      case LedgerJournal::Kind::outcomes: ++drained_.outcomes; break;
      case LedgerJournal::Kind::doubt: ++drained_.doubts; break;
    }
  }
  if (draining_ && !interrupted) {  // everything left is what the ledger refused
    draining_ = false;
    services_.log(api::LogLevel::info,
                  "creditgate: journal replayed: the ledger took " + countsText(drained_) +
                      (stuck_.empty() ? std::string()
                                      : "; " + std::to_string(stuck_.size()) +
                                            " entries it refused stay journaled (see above)"));
  }
  updatePendingMetric();
  return taken;
}

int JournalReplay::resolveDoubtsNow() {
  std::vector<DoubtResolution> resolved;
  try {
    resolved = ledger_.doubts.resolveDue(options_.in_doubt_grace_ms(), kSweepLimit,
                                         Database::Clock::now() + options_.deadline);
  } catch (const LedgerError&) {
    return 0;  // the ledger cannot answer: the next sweep tries again
  }
  for (const DoubtResolution& r : resolved) {
    reliability_.countDoubtResolved(r.resolution);
    if (r.resolution == "voided") {
      metrics_.countMoney("void", r.currency, r.voided_micros);
      services_.log(api::LogLevel::warning,
                    "creditgate: voided batch " + quotedText(r.batch_id) + " of tenant " +
                        quotedText(r.tenant_id) + ": " + formatMicros(r.voided_micros) + " " +
                        r.currency +
                        " given back; its decision stayed in doubt and no retry "
                        "got the verdict, so no host was told to send it");
    }
  }
  return static_cast<int>(resolved.size());
}

void JournalReplay::updatePendingMetric() {
  const LedgerJournal::Counts c = journal_.counts();
  reliability_.setJournalPending(c.decisions, c.outcomes, c.doubts);
}

}  // namespace creditgate
