// Whether the ledger answers now, for CreditGate::readiness(): one trivial read (the rate data
// version, a granted function: the plugin's role reads no table) through the decisions' own pool
// and circuit breaker. The read runs on the probe's own thread and the caller waits only until its
// deadline, as a decision does: a stalled database (no answer and no error) or a slow connect
// (libpq's connect_timeout counts whole seconds, at least 2) holds this thread, never the host's.
// Callers that come while a read is under way wait for that one: a stalled ledger holds one read,
// not one per probe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "rate_data_source.hpp"

namespace creditgate {

class LedgerProbe {
 public:
  explicit LedgerProbe(RateDataSource& rates);
  ~LedgerProbe();
  LedgerProbe(const LedgerProbe&) = delete;
  LedgerProbe& operator=(const LedgerProbe&) = delete;

  // Returns when the ledger answered by `deadline`. Throws LedgerError: the read's own failure, or
  // timeout when it has not answered by then.
  void probe(Database::Deadline deadline);

 private:
  struct Round;
  void run();

  RateDataSource& rates_;
  std::mutex mutex_;
  std::condition_variable due_;       // the probe thread: a round is due, or stopping
  std::condition_variable answered_;  // callers: a round has finished
  std::shared_ptr<Round> current_;    // the latest round, finished or not; null before the first
  bool stopping_ = false;
  std::thread thread_;  // last: it uses the members above
};

}  // namespace creditgate
