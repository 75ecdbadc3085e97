// One run of the gateway, in either mode: batches sent by the contract (Outreach) from any number
// of sender threads, a line printed per batch, the totals kept, refused reports re-sent in the
// background until the end, and what was not accepted said as an error.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "console_report.hpp"
#include "creditgate/host_api.hpp"
#include "gateway_config.hpp"
#include "outreach.hpp"
#include "report_retrier.hpp"
#include "retry_clock.hpp"
#include "run_totals.hpp"
#include "shutdown.hpp"

namespace sample_gateway {

class OutreachRun final : private ReportRetrier::Listener {
 public:
  enum class BatchLines : std::uint8_t {
    every,    // one-shot: a line for every batch
    unusual,  // paced: only batches that took retries, a refused or journaled report, or a bug
  };

  // What the run leaves for the exit status.
  struct End {
    bool internal_error = false;  // the plugin answered internal_error at least once
    std::size_t reports_not_accepted = 0;
  };

  // `gate` and `shutdown` must outlive the run.
  OutreachRun(creditgate::api::CreditGate& gate, const GatewayConfig& config, Shutdown& shutdown,
              BatchColumns columns, BatchLines lines);

  // Sends one batch and prints what happened. Thread-safe.
  void send(const OutreachBatch& batch);

  // After the last send(): waits until every refused report is accepted or out of retry time
  // (up to report_retry.give_up_after_s), then prints each one not accepted as an error on stderr.
  End finish();

  // One line to stdout in one write, so lines of different threads never interleave.
  void print(const std::string& line);

  // Thread-safe snapshots, for status lines and the stop message.
  RunTotals totals() const;
  std::string tenantSummary() const;  // the per-tenant table
  std::size_t reportsPending() const { return reports_.pending(); }
  std::size_t batchesInFlight() const { return in_flight_.load(); }

  // For a second signal: says what is left unfinished (every report not accepted, as an error)
  // and ends the process at once with `status`.
  [[noreturn]] void exitAtOnce(const std::string& why, int status);

 private:
  void reportAccepted(const PendingReport& report, const creditgate::api::Settlement& settlement,
                      unsigned attempts) override;
  void reportNotAccepted(const UnacceptedReport& unaccepted) override;
  bool unusual(const BatchResult& result) const;

  const BatchColumns columns_;
  const BatchLines lines_;
  // Declared before reports_, whose thread calls back into them until it is joined.
  mutable std::mutex mutex_;  // guards the totals; printing
  TenantTotals tenants_;
  RunTotals run_;
  std::atomic<std::size_t> in_flight_{0};
  SteadyRetryClock clock_;
  ReportRetrier reports_;
  const Outreach outreach_;
};

// One line to stderr in one write.
void printError(const std::string& line);

}  // namespace sample_gateway
