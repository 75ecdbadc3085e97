// Decisions at the ledger: a flush of requests decided in one transaction by
// creditgate.decide_batches (sql/015_one_decision_rule.sql), a single decision as a flush of one,
// and quotes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "database.hpp"
#include "decision_request.hpp"

namespace creditgate {

class Decisions {
 public:
  explicit Decisions(Database& database) : database_(database) {}

  struct Flushed {
    LedgerDecision decision;
    std::optional<std::string> error;  // this batch failed alone and moved nothing
    // The verdict, or LedgerError (rejected) naming what the ledger refused.
    LedgerDecision take() &&;
  };
  struct Flush {
    std::vector<Flushed> results;         // one per request, in order
    std::optional<std::string> fallback;  // the flush went one by one, and why
  };
  // Each element one request's decisionRequestJson (as built, or as the journal kept it), decided
  // in one call. Throws LedgerError when the call itself fails.
  Flush decideAll(std::span<const std::string> requests_json, Database::Deadline deadline);
  // One request: its verdict, or LedgerError (rejected, when the ledger refused it).
  LedgerDecision decide(const DecisionRequest& request, Database::Deadline deadline);
  LedgerQuote quote(const DecisionRequest& request, Database::Deadline deadline);

  static std::span<const Statement> statements();

 private:
  Database& database_;
};

}  // namespace creditgate
