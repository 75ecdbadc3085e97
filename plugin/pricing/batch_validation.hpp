// Step 1 of every decision: every field of a batch checked before anything is priced or debited.
// Bad input is blocked with a reason naming the field and the value; nothing reaches the ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "category.hpp"
#include "creditgate/host_api.hpp"

namespace creditgate {

struct BatchProblem {
  api::Reason reason;
  std::string detail;  // e.g. "recipients[3]: '+12ab' has a non-digit at position 4"
};

inline constexpr std::size_t kMaxBatchIdLength = 128;
inline constexpr std::size_t kMaxCampaignIdLength = 128;
inline constexpr std::size_t kMaxTemplateLength = 512;

// nullopt when the batch is well-formed; otherwise the first problem found, fields in the order of
// the Batch struct. On success `category` is set.
std::optional<BatchProblem> findBatchProblem(const api::Batch& batch,
                                             std::uint32_t max_batch_recipients,
                                             Category& category);

// The same checks for report(): tenant_id and batch_id as decide() checks them, and every outcome
// names an E.164 recipient and a known delivery state.
std::optional<BatchProblem> findOutcomeReportProblem(const api::OutcomeReport& report);

}  // namespace creditgate
