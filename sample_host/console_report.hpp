// What the gateway prints: one line per batch as it completes, and a per-tenant summary at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "creditgate/host_api.hpp"
#include "outreach.hpp"
#include "report_retrier.hpp"

namespace sample_gateway {

// Exact decimal text of an amount in micro-units, e.g. -1500 -> "-0.001500". Integer arithmetic
// only: money never passes through floating point, not even for display.
std::string formatMicros(std::int64_t micros);

// Column widths fitted to the batch ids and tenants of this run, so every batch line aligns.
struct BatchColumns {
  std::size_t batch_id = 0;
  std::size_t tenant = 0;
};
BatchColumns fitColumns(const std::vector<OutreachBatch>& batches);

// One line, no newline, e.g.
// "spring-sale-0003  acme  allow  ok  charged 3.090000 EUR  balance 96.910000 EUR  sent 50/50  refunded ..."
// A verdict that took more than one decide() ends in how it was learnt, e.g.
// "... (replayed)  decide: ledger_in_doubt -> retried 2x in 0.6 s -> allow".
std::string formatBatchLine(const BatchResult& result, const BatchColumns& columns);

// A refused report that a re-send got accepted (or journaled), e.g.
// "spring-sale-0003  acme  report accepted after 3 attempts: refunded 0.061800 (1 failed)".
std::string formatReportAcceptedLine(const PendingReport& report,
                                     const creditgate::api::Settlement& settlement,
                                     unsigned attempts, const BatchColumns& columns);

// "error: report not accepted: batch ..., last answer ...; re-send it ...: <failed recipients>":
// everything an operator needs to settle it by hand.
std::string formatReportNotAcceptedLine(const UnacceptedReport& unaccepted);

// Per-tenant totals over the run. Not thread-safe: the caller serialises add().
class TenantTotals {
 public:
  void add(const BatchResult& result);
  void addAcceptedReport(const std::string& tenant, const creditgate::api::Settlement& settlement);
  std::string summaryText() const;  // a table, one line per tenant, ending in a newline
  bool sawInternalError() const { return saw_internal_error_; }

 private:
  struct Tally {
    std::uint32_t allowed = 0, flagged = 0, partial = 0, blocked = 0, replayed = 0;
    std::uint64_t recipients_sent = 0;
    std::int64_t charged_micros = 0;   // money moved by this run: replays charge nothing (see add)
    std::int64_t refunded_micros = 0;  // as the plugin said: a journaled report's come later
    std::uint32_t reports_journaled = 0;
    bool balance_known = false;
    std::int64_t balance_micros = 0;   // last reported; may lag one in-flight batch of another thread
    std::string currency;
  };
  void noteBalance(Tally& tally, std::int64_t balance_micros, const char* currency);

  std::map<std::string, Tally> tenants_;
  bool saw_internal_error_ = false;
};

}  // namespace sample_gateway
