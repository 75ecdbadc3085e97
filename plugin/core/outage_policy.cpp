#include "outage_policy.hpp"

namespace creditgate {

OutagePolicy::OutagePolicy(Ledger& ledger, api::HostServices& services,
                           const std::string& journal_path,
                           std::chrono::milliseconds replay_interval,
                           std::chrono::milliseconds deadline)
    : ledger_(ledger),
      services_(services),
      journal_(journal_path),
      deadline_(deadline),
      thread_(replay_interval, PeriodicThread::Start::now, [this] {
        if (!journal_.pending().empty()) replayNow();
      }) {
  if (const auto pending = journal_.pending().size(); pending > 0) {
    services_.log(api::LogLevel::warning,
                  "creditgate: outage journal " + journal_path + " holds " +
                      std::to_string(pending) + " batches from an earlier run; replaying them");
  }
}

bool OutagePolicy::journal(DecisionRequest request, std::int64_t price_micros,
                           std::int64_t cap_micros) {
  // Sent is sent: the replay must debit it whatever the balance then, within the outage cap.
  request.policy = "flag";
  request.overdraft_limit_micros += cap_micros;
  return journal_
      .append(std::string(request.tenant_id), std::string(request.currency), price_micros,
              decisionRequestJson(request), cap_micros)
      .has_value();
}

int OutagePolicy::replayNow() {
  std::lock_guard lock(replay_mutex_);
  int taken = 0;
  for (const OutageJournal::Entry& entry : journal_.pending()) {
    try {
      const auto results = ledger_.decideMany("[" + entry.request_json + "]", 1,
                                              ConnectionPool::Clock::now() + deadline_);
      if (results[0].error) {
        services_.log(api::LogLevel::error, "creditgate: journaled batch " +
                                                std::to_string(entry.seq) + " of tenant " +
                                                entry.tenant_id + " refused by the ledger: " +
                                                *results[0].error + "; it stays journaled");
        continue;
      }
      const LedgerDecision& d = results[0].decision;
      if (d.decision == api::Decision::block) {
        // e.g. batch_conflict: the id was reused for other content. Not debitable; say so loudly.
        services_.log(api::LogLevel::error,
                      "creditgate: journaled batch " + std::to_string(entry.seq) + " of tenant " +
                          entry.tenant_id + " could not be debited: " + api::reasonCode(d.reason));
      }
      journal_.markDone(entry.seq);
      ++taken;
    } catch (const LedgerError&) {
      break;  // still down: the next round tries again
    }
  }
  return taken;
}


}  // namespace creditgate
