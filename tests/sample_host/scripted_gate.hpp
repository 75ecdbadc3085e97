// Test support: a CreditGate whose answers a test scripts. decide() and report() give their
// scripted answers in turn, the last one for ever after; every call is recorded with copies of
// what it was given, so a test can check that a retry re-sent exactly the same thing.
// Thread-safe, as the contract requires (the report retrier calls from its own thread).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "creditgate/host_api.hpp"

namespace sample_gateway::testing {

namespace api = creditgate::api;

api::Verdict verdict(api::Decision decision, api::Reason reason,
                     std::uint32_t recipients_allowed = 0, bool replayed = false);
api::Verdict inDoubt();  // block ledger_in_doubt
api::Settlement settled(std::uint32_t refunded_recipients, std::int64_t refunded_micros);
api::Settlement refused(api::Reason reason);  // ok == false
api::Settlement journaled();                  // ok, journaled, reason ledger_unavailable

class ScriptedGate final : public api::CreditGate {
 public:
  struct DecideCall {
    std::string tenant_id, batch_id, campaign_id, template_name, category;
    std::vector<std::string> recipients;
    bool operator==(const DecideCall&) const = default;
  };
  struct ReportCall {
    std::string tenant_id, batch_id;
    std::vector<std::pair<std::string, api::Delivery>> outcomes;
    bool operator==(const ReportCall&) const = default;
  };

  void answerDecide(std::vector<api::Verdict> answers);
  void answerReport(std::vector<api::Settlement> answers);
  std::vector<DecideCall> decideCalls() const;
  std::vector<ReportCall> reportCalls() const;

  api::Verdict decide(const api::Batch& batch) noexcept override;
  api::Quote quote(const api::Batch& batch) noexcept override;
  api::Settlement report(const api::OutcomeReport& outcomes) noexcept override;
  api::ReloadResult reload() noexcept override;
  std::string metricsText() noexcept override;
  api::AccountBalance balance(std::string_view tenant_id) noexcept override;
  api::Readiness readiness() noexcept override;
  api::TenantPolicy tenantPolicy(std::string_view tenant_id) noexcept override;

 private:
  mutable std::mutex mutex_;
  std::vector<api::Verdict> decide_answers_{
      verdict(api::Decision::block, api::Reason::internal_error)};
  std::vector<api::Settlement> report_answers_{refused(api::Reason::internal_error)};
  std::vector<DecideCall> decide_calls_;
  std::vector<ReportCall> report_calls_;
};

}  // namespace sample_gateway::testing
