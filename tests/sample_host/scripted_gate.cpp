#include "scripted_gate.hpp"

#include <algorithm>
#include <cstring>

namespace sample_gateway::testing {

namespace {

constexpr std::int64_t kUnitPriceMicros = 100'000;  // 0.10 EUR a message

template <typename Answer>
Answer nextAnswer(const std::vector<Answer>& answers, std::size_t calls_before) {
  return answers[std::min(calls_before, answers.size() - 1)];
}

template <std::size_t N>
void setText(char (&field)[N], const char* text) {
  std::size_t length = std::min(std::strlen(text), N - 1);
  std::memcpy(field, text, length);
  field[length] = '\0';
}

}  // namespace

api::Verdict verdict(api::Decision decision, api::Reason reason, std::uint32_t recipients_allowed,
                     bool replayed) {
  api::Verdict v;
  v.decision = decision;
  v.reason = reason;
  v.replayed = replayed;
  v.recipients_allowed = recipients_allowed;
  v.balance_known = decision != api::Decision::block;
  v.charged_micros = decision == api::Decision::block ? 0 : kUnitPriceMicros * recipients_allowed;
  v.balance_after_micros = 5'000'000;
  setText(v.currency, "EUR");
  setText(v.detail, api::reasonCode(reason));
  return v;
}

api::Verdict inDoubt() {
  return verdict(api::Decision::block, api::Reason::ledger_in_doubt);
}

api::Settlement settled(std::uint32_t refunded_recipients, std::int64_t refunded_micros) {
  api::Settlement s;
  s.ok = true;
  s.reason = api::Reason::ok;
  s.refunded_recipients = refunded_recipients;
  s.refunded_micros = refunded_micros;
  s.balance_after_micros = 5'000'000 + refunded_micros;
  setText(s.currency, "EUR");
  return s;
}

api::Settlement refused(api::Reason reason) {
  api::Settlement s;
  s.ok = false;
  s.reason = reason;
  setText(s.detail, api::reasonCode(reason));
  return s;
}

api::Settlement journaled() {
  api::Settlement s;
  s.ok = true;
  s.journaled = true;
  s.reason = api::Reason::ledger_unavailable;
  setText(s.detail, "journaled");
  return s;
}

void ScriptedGate::answerDecide(std::vector<api::Verdict> answers) {
  std::lock_guard lock(mutex_);
  decide_answers_ = std::move(answers);
}

void ScriptedGate::answerReport(std::vector<api::Settlement> answers) {
  std::lock_guard lock(mutex_);
  report_answers_ = std::move(answers);
}

std::vector<ScriptedGate::DecideCall> ScriptedGate::decideCalls() const {
  std::lock_guard lock(mutex_);
  return decide_calls_;
}

std::vector<ScriptedGate::ReportCall> ScriptedGate::reportCalls() const {
  std::lock_guard lock(mutex_);
  return report_calls_;
}

api::Verdict ScriptedGate::decide(const api::Batch& batch) noexcept {
  std::lock_guard lock(mutex_);
  DecideCall call{std::string(batch.tenant_id),   std::string(batch.batch_id),
                  std::string(batch.campaign_id), std::string(batch.template_name),
                  std::string(batch.category),    {}};
  for (std::string_view recipient : batch.recipients) call.recipients.emplace_back(recipient);
  decide_calls_.push_back(std::move(call));
  api::Verdict answer = nextAnswer(decide_answers_, decide_calls_.size() - 1);
  if (answer.decision != api::Decision::block) {
    // "Every recipient" is scripted as a large count: charge for what the batch really has.
    answer.recipients_allowed =
        std::min<std::uint32_t>(answer.recipients_allowed, batch.recipients.size());
    answer.charged_micros = kUnitPriceMicros * answer.recipients_allowed;
  }
  return answer;
}

api::Quote ScriptedGate::quote(const api::Batch&) noexcept {
  return {};
}

api::Settlement ScriptedGate::report(const api::OutcomeReport& outcomes) noexcept {
  std::lock_guard lock(mutex_);
  ReportCall call{std::string(outcomes.tenant_id), std::string(outcomes.batch_id), {}};
  for (const api::RecipientOutcome& outcome : outcomes.outcomes) {
    call.outcomes.emplace_back(std::string(outcome.recipient), outcome.delivery);
  }
  report_calls_.push_back(std::move(call));
  return nextAnswer(report_answers_, report_calls_.size() - 1);
}

api::ReloadResult ScriptedGate::reload() noexcept {
  return {};
}

std::string ScriptedGate::metricsText() noexcept {
  return {};
}

api::AccountBalance ScriptedGate::balance(std::string_view) noexcept {
  return {};
}

api::Readiness ScriptedGate::readiness() noexcept {
  return {};
}

api::TenantPolicy ScriptedGate::tenantPolicy(std::string_view) noexcept {
  return {};
}

}  // namespace sample_gateway::testing
