// What the gateway prints: one line per batch as it completes, and a per-tenant summary at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "outreach.hpp"

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
std::string formatBatchLine(const BatchResult& result, const BatchColumns& columns);

// Per-tenant totals over the run. Not thread-safe: the caller serialises add().
class TenantTotals {
 public:
  void add(const BatchResult& result);
  std::string summaryText() const;  // a table, one line per tenant, ending in a newline
  bool sawInternalError() const { return saw_internal_error_; }

 private:
  struct Tally {
    std::uint32_t allowed = 0, flagged = 0, partial = 0, blocked = 0, replayed = 0;
    std::uint64_t recipients_sent = 0;
    std::int64_t charged_micros = 0;   // money moved by this run: replays charge nothing
    std::int64_t refunded_micros = 0;
    bool balance_known = false;
    std::int64_t balance_micros = 0;   // last reported; may lag one in-flight batch of another thread
    std::string currency;
  };
  void noteBalance(Tally& tally, std::int64_t balance_micros, const char* currency);

  std::map<std::string, Tally> tenants_;
  bool saw_internal_error_ = false;
};

}  // namespace sample_gateway
