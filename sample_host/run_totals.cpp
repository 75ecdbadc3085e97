#include "run_totals.hpp"

namespace sample_gateway {
namespace api = creditgate::api;

void RunTotals::add(const BatchResult& result) {
  ++batches;
  ++by_decision[static_cast<std::size_t>(result.verdict().decision)];
  if (result.verdict().replayed) ++replayed;
  recipients_sent += result.sent;
  if (result.decision.retried()) ++decide_retried;
  if (result.decision.end == DecisionTrail::End::gave_up) ++decide_gave_up;
  if (result.decision.end == DecisionTrail::End::stopped) ++decide_stopped;
  if (result.report_deferred) ++reports_resent;
  if (result.settlement && result.settlement->ok) {
    refunded += result.settlement->refunded_recipients;
    if (result.settlement->journaled) ++reports_journaled;
  }
}

void RunTotals::addAcceptedReport(const api::Settlement& settlement) {
  refunded += settlement.refunded_recipients;
  if (settlement.journaled) ++reports_journaled;
}

std::string RunTotals::fields(std::size_t reports_pending) const {
  std::string text = "batches=" + std::to_string(batches);
  for (api::Decision decision : {api::Decision::allow, api::Decision::allow_flagged,
                                 api::Decision::allow_partial, api::Decision::block}) {
    text += std::string(" ") + api::decisionName(decision) + "=" +
            std::to_string(by_decision[static_cast<std::size_t>(decision)]);
  }
  auto field = [&text](const char* key, std::uint64_t value) {
    text += std::string(" ") + key + "=" + std::to_string(value);
  };
  field("replayed", replayed);
  field("sent", recipients_sent);
  field("refunded", refunded);
  field("decide_retried", decide_retried);
  field("decide_gave_up", decide_gave_up);
  field("decide_stopped", decide_stopped);
  field("reports_resent", reports_resent);
  field("reports_journaled", reports_journaled);
  field("reports_pending", reports_pending);
  field("reports_not_accepted", reports_not_accepted);
  return text;
}

}  // namespace sample_gateway
