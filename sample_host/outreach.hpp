// Sending one batch the way the host contract says: ask the credit gate until its verdict is known
// (decision_retry.hpp), send what it allows, report what was delivered, and hand a refused report
// to the ReportRetrier. Delivery is simulated, deterministically, so runs can be compared and
// replayed.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "campaign.hpp"
#include "creditgate/host_api.hpp"
#include "decision_retry.hpp"
#include "report_retrier.hpp"
#include "retry_clock.hpp"
#include "retry_policy.hpp"

namespace sample_gateway {

// Decides which simulated messages are undelivered: the same recipient in the same batch always
// gets the same fate, so a replayed batch reports exactly the outcomes it reported the first time.
class DeliverySimulation {
 public:
  explicit DeliverySimulation(int failure_percent) : failure_percent_(failure_percent) {}
  bool fails(std::string_view recipient, std::string_view batch_id) const noexcept;

 private:
  int failure_percent_;  // 0..100
};

// Everything that happened to one batch.
struct BatchResult {
  const OutreachBatch* batch = nullptr;
  DecisionTrail decision;    // the verdict acted on, and what it took to learn it
  std::uint32_t sent = 0;    // recipients handed to "WhatsApp"
  std::uint32_t failed = 0;  // of those, simulated as undelivered
  // report()'s answer, when something was sent. Not ok: report_deferred, the ReportRetrier
  // re-sends it.
  std::optional<creditgate::api::Settlement> settlement;
  bool report_deferred = false;

  const creditgate::api::Verdict& verdict() const { return decision.verdict; }
};

class Outreach {
 public:
  // Every reference must outlive the Outreach.
  Outreach(creditgate::api::CreditGate& gate, DeliverySimulation delivery, RetryPolicy decide_retry,
           RetryClock& clock, ReportRetrier& reports)
      : gate_(gate),
        delivery_(delivery),
        decide_retry_(decide_retry),
        clock_(clock),
        reports_(reports) {}

  // decide() until known, send recipients[0 .. recipients_allowed) unless blocked, report() their
  // outcomes. Thread-safe.
  BatchResult send(const OutreachBatch& batch) const;

 private:
  creditgate::api::CreditGate& gate_;
  const DeliverySimulation delivery_;
  const RetryPolicy decide_retry_;
  RetryClock& clock_;
  ReportRetrier& reports_;
};

}  // namespace sample_gateway
