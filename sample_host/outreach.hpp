// Sending one batch the way a gateway does: ask the credit gate, send what it allows, report what
// was delivered. Delivery is simulated, deterministically, so runs can be compared and replayed.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "campaign.hpp"
#include "creditgate/host_api.hpp"

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
  creditgate::api::Verdict verdict;
  std::uint32_t sent = 0;    // recipients handed to "WhatsApp"
  std::uint32_t failed = 0;  // of those, simulated as undelivered
  std::optional<creditgate::api::Settlement> settlement;  // set when something was sent
};

// decide(), send recipients[0 .. recipients_allowed) unless blocked, then report() their outcomes.
BatchResult sendBatch(creditgate::api::CreditGate& gate, const OutreachBatch& batch,
                      const DeliverySimulation& delivery);

}  // namespace sample_gateway
