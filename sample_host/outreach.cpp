#include "outreach.hpp"

#include <algorithm>
#include <vector>

#include "fnv1a.hpp"

namespace sample_gateway {
namespace api = creditgate::api;

namespace {

api::Batch toApiBatch(const OutreachBatch& batch) {
  const Campaign& campaign = *batch.campaign;
  return api::Batch{
      .tenant_id = campaign.tenant,
      .batch_id = batch.batch_id,
      .campaign_id = campaign.id,
      .template_name = campaign.template_name,
      .category = campaign.category,
      .recipients = batch.recipients,
  };
}

// How many recipients the verdict lets us send. Never trust a count beyond the batch.
std::uint32_t sendable(const api::Verdict& verdict, std::size_t batch_size) {
  if (verdict.decision == api::Decision::block) return 0;
  return static_cast<std::uint32_t>(
      std::min<std::size_t>(verdict.recipients_allowed, batch_size));
}

PendingReport ownedCopy(const OutreachBatch& batch,
                        const std::vector<api::RecipientOutcome>& outcomes) {
  PendingReport report{batch.campaign->tenant, batch.batch_id, {}, {}};
  report.recipients.reserve(outcomes.size());
  report.deliveries.reserve(outcomes.size());
  for (const api::RecipientOutcome& outcome : outcomes) {
    report.recipients.emplace_back(outcome.recipient);
    report.deliveries.push_back(outcome.delivery);
  }
  return report;
}

}  // namespace

bool DeliverySimulation::fails(std::string_view recipient, std::string_view batch_id) const noexcept {
  const std::uint64_t hash = creditgate::fnv1a(batch_id, creditgate::fnv1a(recipient));
  return static_cast<int>(hash % 100) < failure_percent_;
}

BatchResult Outreach::send(const OutreachBatch& batch) const {
  BatchResult result;
  result.batch = &batch;
  result.decision = decideUntilKnown(gate_, toApiBatch(batch), decide_retry_, clock_);
  result.sent = sendable(result.verdict(), batch.recipients.size());
  if (result.sent == 0) return result;

  std::vector<api::RecipientOutcome> outcomes;
  outcomes.reserve(result.sent);
  for (std::uint32_t i = 0; i < result.sent; ++i) {
    std::string_view recipient = batch.recipients[i];
    bool failed = delivery_.fails(recipient, batch.batch_id);
    result.failed += failed ? 1 : 0;
    outcomes.push_back({recipient, failed ? api::Delivery::failed : api::Delivery::delivered});
  }
  result.settlement = gate_.report(api::OutcomeReport{
      .tenant_id = batch.campaign->tenant, .batch_id = batch.batch_id, .outcomes = outcomes});
  if (!result.settlement->ok) {
    result.report_deferred = true;
    reports_.add(ownedCopy(batch, outcomes), *result.settlement);
  }
  return result;
}

}  // namespace sample_gateway
