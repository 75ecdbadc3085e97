// The local journal of batches allowed while the ledger could not answer (policy
// on_ledger_unavailable = allow_flagged). Each entry is written and fsynced BEFORE the batch is
// allowed, so it survives a gateway crash; a "done" record follows once the ledger has debited it.
// Append-only JSON lines; compacted (emptied) when nothing is pending. One process per file.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace creditgate {

class OutageJournal {
 public:
  struct Entry {
    std::uint64_t seq = 0;
    std::string tenant_id;
    std::string currency;
    std::int64_t price_micros = 0;
    std::string request_json;  // the decision to replay, with its original batch_id
  };

  // Opens (creating) the file and loads what is still pending from an earlier run.
  // Throws std::runtime_error naming the path when it cannot be opened or read.
  explicit OutageJournal(std::string path);
  ~OutageJournal();
  OutageJournal(const OutageJournal&) = delete;
  OutageJournal& operator=(const OutageJournal&) = delete;

  // Appends and fsyncs one entry unless the tenant's pending total plus this price would exceed
  // `cap_micros`; nullopt when over the cap. Throws std::runtime_error when the disk refuses.
  std::optional<std::uint64_t> append(const std::string& tenant_id, const std::string& currency,
                                      std::int64_t price_micros, const std::string& request_json,
                                      std::int64_t cap_micros);
  void markDone(std::uint64_t seq);  // fsynced; compacts the file when nothing is pending

  std::vector<Entry> pending() const;
  std::int64_t pendingMicros(const std::string& tenant_id) const;
  const std::string& path() const { return path_; }

 private:
  void load();
  void writeLine(const std::string& line);  // under mutex_

  const std::string path_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::uint64_t next_seq_ = 1;
  std::map<std::uint64_t, Entry> pending_;
  std::map<std::string, std::int64_t> pending_by_tenant_;
};

}  // namespace creditgate
