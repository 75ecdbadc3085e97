// One batch as the ledger decides it, and what the ledger answers. The request owns its data (a
// flush may outlive the caller who gave up on it) and has one encoding: decisionRequestJson, the
// element of creditgate.decide_batches' array and of the outage journal's records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "creditgate/host_api.hpp"

namespace creditgate {

struct DecisionRequest {
  std::string tenant_id;
  std::string batch_id;
  std::string campaign_id;
  std::string template_name;
  std::string category;
  std::vector<std::string> recipients;
  std::vector<std::int64_t> unit_prices_micros;
  std::string currency;
  std::string policy;  // block | flag | partial | outage (a journaled batch, replayed)
  std::int64_t overdraft_limit_micros = 0;
  std::int64_t rate_card_id = 0;
  // Low-balance thresholds (nullopt: off) and the minimum interval between notifications.
  std::optional<std::int64_t> warning_micros;
  std::optional<std::int64_t> critical_micros;
  int notify_interval_ms = 0;
  // This decide() call's id (0: none). The ledger remembers which calls got a batch's verdict, so a
  // debit whose every answer was lost can be voided (sql/014_doubt_and_outage.sql).
  std::int64_t attempt_id = 0;
  // A batch sent during an outage and decided now, on replay: when it was sent (UTC, ISO 8601, as
  // the batch's decided_at); empty: now.
  std::string decided_at;
};

// {"tenant_id": ..., "recipients": [...], ..., "attempt": ...}: the one encoding of a request.
std::string decisionRequestJson(const DecisionRequest& request);

struct LedgerDecision {
  api::Decision decision = api::Decision::block;
  api::Reason reason = api::Reason::internal_error;
  std::int64_t charged_micros = 0;
  std::optional<std::int64_t> balance_after_micros;
  std::uint32_t recipients_allowed = 0;
  bool replayed = false;
  std::string currency;
};

struct LedgerQuote {
  api::Decision decision = api::Decision::block;
  api::Reason reason = api::Reason::internal_error;
  std::optional<std::int64_t> balance_micros;
  std::optional<std::int64_t> available_micros;
  std::uint32_t recipients_affordable = 0;
  std::string currency;
};

// The ledger's text of a decision or reason; throws LedgerError(rejected) for one the API lacks.
api::Decision decisionFromText(std::string_view text);
api::Reason reasonFromText(std::string_view text);

}  // namespace creditgate
