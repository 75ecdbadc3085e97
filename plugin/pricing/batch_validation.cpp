#include "batch_validation.hpp"

#include <unordered_set>

#include "quoted_text.hpp"
#include "recipient.hpp"
#include "tenant_id.hpp"

namespace creditgate {
namespace {

bool isGraph(char c) {
  return c > ' ' && c < 0x7f;
}  // printable, no space
bool isPrint(char c) {
  return c >= ' ' && c < 0x7f;
}  // printable, space allowed

// Ids are data, stored and compared as given; only their shape is checked here. Quotes,
// semicolons and the like are fine: nothing is ever spliced into SQL text.
std::optional<BatchProblem> checkText(std::string_view field, std::string_view value,
                                      std::size_t min_length, std::size_t max_length,
                                      bool allow_space, api::Reason reason) {
  auto problem = [&](const std::string& what) {
    return BatchProblem{reason, std::string(field) + ": " + quotedText(value) + " " + what};
  };
  if (value.size() < min_length) {
    return BatchProblem{reason, std::string(field) + " is empty"};
  }
  if (value.size() > max_length) {
    return problem("is longer than " + std::to_string(max_length) + " bytes");
  }
  for (char c : value) {
    if (!(allow_space ? isPrint(c) : isGraph(c))) {
      return problem(allow_space ? "has a non-printable character"
                                 : "has a space or non-printable character");
    }
  }
  return std::nullopt;
}

std::optional<BatchProblem> checkTenantId(std::string_view tenant_id) {
  auto detail = invalidTenantIdDetail(tenant_id);
  if (!detail) return std::nullopt;
  return BatchProblem{api::Reason::invalid_tenant_id, std::move(*detail)};
}

std::optional<BatchProblem> checkBatchId(std::string_view batch_id) {
  return checkText("batch_id", batch_id, 1, kMaxBatchIdLength, true, api::Reason::invalid_batch_id);
}

}  // namespace

std::optional<BatchProblem> findOutcomeReportProblem(const api::OutcomeReport& report) {
  if (auto p = checkTenantId(report.tenant_id)) return p;
  if (auto p = checkBatchId(report.batch_id)) return p;
  for (std::size_t i = 0; i < report.outcomes.size(); ++i) {
    const api::RecipientOutcome& outcome = report.outcomes[i];
    const std::string field = "outcomes[" + std::to_string(i) + "]";
    if (auto problem = e164Problem(outcome.recipient)) {
      return BatchProblem{api::Reason::invalid_outcome, field + ".recipient: " + *problem};
    }
    if (outcome.delivery != api::Delivery::delivered && outcome.delivery != api::Delivery::failed) {
      return BatchProblem{
          api::Reason::invalid_outcome,
          field + ".delivery: " + std::to_string(static_cast<unsigned>(outcome.delivery)) +
              " is neither delivered (0) nor failed (1)"};
    }
  }
  return std::nullopt;
}

std::optional<BatchProblem> findBatchProblem(const api::Batch& batch,
                                             std::uint32_t max_batch_recipients,
                                             Category& category) {
  using api::Reason;
  if (auto p = checkTenantId(batch.tenant_id)) return p;
  if (auto p = checkBatchId(batch.batch_id)) return p;
  if (auto p = checkText("campaign_id", batch.campaign_id, 0, kMaxCampaignIdLength, true,
                         Reason::invalid_campaign_id)) {
    return p;
  }
  if (auto p = checkText("template_name", batch.template_name, 1, kMaxTemplateLength, true,
                         Reason::invalid_template)) {
    return p;
  }
  const auto parsed = parseCategory(batch.category);
  if (!parsed) {
    return BatchProblem{Reason::unknown_category,
                        "category: " + quotedText(batch.category) +
                            " is not one of marketing, utility, authentication, "
                            "authentication_international, service"};
  }
  category = *parsed;
  if (batch.recipients.empty()) {
    return BatchProblem{Reason::no_recipients, "recipients: the batch has no recipients"};
  }
  if (batch.recipients.size() > max_batch_recipients) {
    return BatchProblem{Reason::too_many_recipients,
                        "recipients: " + std::to_string(batch.recipients.size()) +
                            " recipients, more than limits.max_batch_recipients = " +
                            std::to_string(max_batch_recipients)};
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(batch.recipients.size());
  for (std::size_t i = 0; i < batch.recipients.size(); ++i) {
    const std::string_view recipient = batch.recipients[i];
    if (auto problem = e164Problem(recipient)) {
      return BatchProblem{Reason::invalid_recipient,
                          "recipients[" + std::to_string(i) + "]: " + *problem};
    }
    if (!seen.insert(recipient).second) {
      return BatchProblem{Reason::duplicate_recipient, "recipients[" + std::to_string(i) +
                                                           "]: " + quotedText(recipient) +
                                                           " appears more than once in the batch"};
    }
  }
  return std::nullopt;
}

}  // namespace creditgate
