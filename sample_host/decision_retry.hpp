// decide() until the verdict is known. A block that says the ledger did not answer is asked again
// with the same batch id and content, with bounded back-off; the gateway then acts on the last
// answer only.
//
// Why each such block is asked again (host_api.hpp, Reason):
// - ledger_in_doubt: the request reached the ledger and its answer was lost, so the batch MAY have
//   been debited. Sending it on a guess could send unpaid messages; never sending it could leave a
//   debit for nothing. Asking again with the same id returns the recorded verdict (replayed) or
//   decides it now. Never under a new id: that could debit twice. This goes on while the gateway
//   stops, since only an answer settles where the money stands.
// - ledger_unavailable, ledger_timeout: nothing was debited, and a blocked batch does not use up
//   its id, so asking again is safe. The sample gateway does, to ride out a short outage (a
//   failover, a held row lock) instead of dropping the outreach; the plugin's circuit breaker keeps
//   these retries cheap. A stop cuts them short: nothing is owed, the batch is simply not sent.
#pragma once

#include <chrono>
#include <cstdint>

#include "creditgate/host_api.hpp"
#include "retry_clock.hpp"
#include "retry_policy.hpp"

namespace sample_gateway {

// What it took to learn a batch's verdict.
struct DecisionTrail {
  enum class End : std::uint8_t {
    answered,  // the last answer is the verdict (allow..., or a block the ledger did decide)
    gave_up,   // the retry time ran out while the ledger still did not answer: not sent
    stopped,   // the gateway stopped while retrying a batch that owes nothing: not sent
  };

  creditgate::api::Verdict verdict;  // the last answer: the one the gateway acts on
  unsigned attempts = 0;             // decide() calls made
  creditgate::api::Reason first_reason = creditgate::api::Reason::ok;  // the first answer's reason
  bool in_doubt = false;  // some answer was ledger_in_doubt: the batch may have been debited then
  End end = End::answered;
  std::chrono::milliseconds elapsed{0};  // from the first call to the last answer

  bool retried() const { return attempts > 1; }
};

// A block after which the same batch may be asked again: the ledger did not answer.
bool ledgerDidNotAnswer(const creditgate::api::Verdict& verdict);

// Calls gate.decide(batch) until the verdict is known, the policy's time is over, or (for a batch
// never in doubt) the gateway stops. `batch` is passed unchanged to every call.
DecisionTrail decideUntilKnown(creditgate::api::CreditGate& gate,
                               const creditgate::api::Batch& batch, const RetryPolicy& policy,
                               RetryClock& clock);

}  // namespace sample_gateway
