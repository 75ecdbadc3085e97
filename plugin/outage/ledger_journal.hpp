// The plugin's local journal of what the ledger must still be told, for when it answers again:
//   decision  a batch allowed by on_ledger_unavailable = allow_flagged (debited on replay)
//   outcomes  a report() the ledger could not take (refunded on replay)
//   doubt     a decide() attempt whose answer was lost (noted on replay, so an unconfirmed debit is
//             voided; see sql/014_doubt_and_outage.sql)
// Each entry is written and fsynced BEFORE the host is answered, so it survives a gateway crash; a
// "done" record follows once the ledger has it. Append-only JSON lines, one version field per
// record; the file is emptied when nothing is pending. One process per file (an flock says so).
// Without a path the journal lives in memory: it then outlives an outage, not a crash.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace creditgate {

class LedgerJournal {
 public:
  enum class Kind { decision, outcomes, doubt };

  struct Outcome {
    std::string recipient;
    bool delivered = false;
  };
  struct Entry {
    std::uint64_t seq = 0;  // set by append
    Kind kind = Kind::decision;
    std::string tenant_id;
    std::string batch_id;
    // decision: what it costs (counts against the outage cap) and the request to replay
    std::string currency;
    std::int64_t price_micros = 0;
    std::string request_json;
    // outcomes
    std::vector<Outcome> outcomes;
    // doubt: the decide() attempt whose answer was lost
    std::int64_t attempt_id = 0;
  };
  struct Counts {
    std::size_t decisions = 0, outcomes = 0, doubts = 0;
  };

  // Opens (creating) and locks the file and loads what is still pending from an earlier run; ""
  // keeps the journal in memory. Throws std::runtime_error naming the path when the file cannot be
  // opened, is locked by another process, or holds a record this version cannot read.
  explicit LedgerJournal(std::string path);
  ~LedgerJournal();
  LedgerJournal(const LedgerJournal&) = delete;
  LedgerJournal& operator=(const LedgerJournal&) = delete;

  bool durable() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  // Appends (and fsyncs) an entry; its seq. A decision is refused (nullopt) when the tenant's
  // pending decisions plus this price would exceed `cap_micros`. Throws std::runtime_error when the
  // disk refuses: then nothing was journaled.
  std::optional<std::uint64_t> appendDecision(Entry entry, std::int64_t cap_micros);
  std::uint64_t append(Entry entry);
  void markDone(std::uint64_t seq);

  std::vector<Entry> pending() const;  // in seq order
  Counts counts() const;
  std::int64_t pendingMicros(const std::string& tenant_id) const;

 private:
  void load();
  std::uint64_t appendLocked(Entry entry);  // under mutex_
  void writeLine(const std::string& line);  // under mutex_

  const std::string path_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::uint64_t next_seq_ = 1;
  std::map<std::uint64_t, Entry> pending_;
  std::map<std::string, std::int64_t> pending_by_tenant_;  // decisions' prices
};

// One record as the journal writes it (v1): {"v":1,"type":"decision",...}. For tests and tools.
std::string journalRecordJson(const LedgerJournal::Entry& entry);

// "decision", "outcomes", "doubt": the kind as records and metrics name it.
const char* journalKindName(LedgerJournal::Kind kind) noexcept;

}  // namespace creditgate
