// on_ledger_unavailable = allow_flagged: a batch decided while the ledger cannot answer is journaled
// (fsynced) and allowed, flagged; a background thread replays the journal with the original batch
// ids once the ledger answers again, so each is debited exactly once (a replay of a batch that did
// reach the ledger is recognised by its id). A per-tenant cap bounds what an outage can allow.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "creditgate/host_api.hpp"
#include "gate_metrics.hpp"
#include "ledger.hpp"
#include "outage_journal.hpp"
#include "periodic_thread.hpp"

namespace creditgate {

class OutagePolicy {
 public:
  OutagePolicy(Ledger& ledger, api::HostServices& services, const std::string& journal_path,
               std::chrono::milliseconds replay_interval, std::chrono::milliseconds deadline);
  OutagePolicy(const OutagePolicy&) = delete;
  OutagePolicy& operator=(const OutagePolicy&) = delete;

  // Journals the decision for replay; false when the tenant's outage cap would be exceeded.
  // The replay debits even past the normal floor, by at most the cap: what the admins allowed.
  bool journal(DecisionRequest request, std::int64_t price_micros, std::int64_t cap_micros);

  // Replays what is pending; how many batches the ledger took (debited or recognised).
  int replayNow();
  std::size_t pendingCount() const { return journal_.pending().size(); }

 private:

  Ledger& ledger_;
  api::HostServices& services_;
  OutageJournal journal_;
  const std::chrono::milliseconds deadline_;
  std::mutex replay_mutex_;
  PeriodicThread thread_;  // last: it uses everything above
};

}  // namespace creditgate
