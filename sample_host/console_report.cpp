#include "console_report.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>

namespace sample_gateway {
namespace api = creditgate::api;

namespace {

constexpr std::size_t kDecisionWidth = 13;  // "allow_partial"
constexpr std::size_t kReasonWidth = 24;    // "overdraft_limit_exceeded"
constexpr std::size_t kAmountWidth = 10;    // "123.456789": wider amounts push the line, no harm
constexpr std::size_t kCurrencyWidth = 3;   // ISO 4217
constexpr const char* kJournaledText =
    "journaled: the ledger did not answer; the plugin keeps the outcomes and settles them when it "
    "does";

std::string padRight(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string padLeft(std::string text, std::size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

template <std::size_t N>
std::string fixedText(const char (&field)[N]) {
  return std::string(field, ::strnlen(field, N));
}

// Amount right-aligned, currency in a fixed column, so the columns after it line up too.
std::string money(std::string amount, const std::string& currency) {
  return padLeft(std::move(amount), kAmountWidth) + " " + padRight(currency, kCurrencyWidth);
}

std::string balanceText(const api::Verdict& verdict) {
  std::string amount = verdict.balance_known ? formatMicros(verdict.balance_after_micros) : "?";
  return "balance " + money(std::move(amount), fixedText(verdict.currency));
}

std::string refundText(const api::Settlement& settlement, std::uint32_t failed) {
  std::string text = "refunded " + formatMicros(settlement.refunded_micros) + " (" +
                     std::to_string(failed) + " failed";
  if (settlement.already_settled > 0) {
    text += ", " + std::to_string(settlement.already_settled) + " already settled";
  }
  return text + ")";
}

std::string settlementText(const BatchResult& result) {
  const api::Settlement& settlement = *result.settlement;
  if (!settlement.ok) {
    return "report not accepted (" + std::string(api::reasonCode(settlement.reason)) + ": " +
           fixedText(settlement.detail) + "), re-sending in the background";
  }
  if (settlement.journaled) return std::string("report ") + kJournaledText;
  return refundText(settlement, result.failed);
}

// Tenths of a second, rounded down: "0.6 s".
std::string secondsText(std::chrono::milliseconds elapsed) {
  long long tenths = elapsed.count() / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

// How the verdict was learnt, when it took more than one answer or none came.
std::string trailText(const DecisionTrail& trail) {
  std::string text = std::string("decide: ") + api::reasonCode(trail.first_reason) + " -> ";
  if (trail.retried()) {
    text += "retried " + std::to_string(trail.attempts - 1) + "x in " + secondsText(trail.elapsed) +
            " -> ";
  }
  switch (trail.end) {
    case DecisionTrail::End::answered:
      text += api::decisionName(trail.verdict.decision);
      if (trail.verdict.decision == api::Decision::block) {
        text += std::string(" ") + api::reasonCode(trail.verdict.reason);
      }
      break;
    case DecisionTrail::End::gave_up:
      text += trail.in_doubt ? "gave up: not sent; may have been debited, which the plugin voids "
                               "after failure.in_doubt_grace_s"
                             : "gave up: not sent, nothing debited";
      break;
    case DecisionTrail::End::stopped: text += "stopping: not sent, nothing debited"; break;
  }
  return text;
}

}  // namespace

std::string formatMicros(std::int64_t micros) {
  // Through unsigned so that INT64_MIN has a magnitude too.
  std::uint64_t magnitude = micros < 0 ? 0 - static_cast<std::uint64_t>(micros)
                                       : static_cast<std::uint64_t>(micros);
  char text[32];
  std::snprintf(text, sizeof text, "%s%llu.%06llu", micros < 0 ? "-" : "",
                static_cast<unsigned long long>(magnitude / 1'000'000),
                static_cast<unsigned long long>(magnitude % 1'000'000));
  return text;
}

BatchColumns fitColumns(const std::vector<OutreachBatch>& batches) {
  BatchColumns columns;
  for (const OutreachBatch& batch : batches) {
    columns.batch_id = std::max(columns.batch_id, batch.batch_id.size());
    columns.tenant = std::max(columns.tenant, batch.campaign->tenant.size());
  }
  return columns;
}

std::string formatBatchLine(const BatchResult& result, const BatchColumns& columns) {
  const api::Verdict& verdict = result.verdict();
  const OutreachBatch& batch = *result.batch;
  std::string line = padRight(batch.batch_id, columns.batch_id) + "  " +
                     padRight(batch.campaign->tenant, columns.tenant) + "  " +
                     padRight(api::decisionName(verdict.decision), kDecisionWidth) + "  " +
                     padRight(api::reasonCode(verdict.reason), kReasonWidth) + "  ";
  if (verdict.decision == api::Decision::block) {
    line += balanceText(verdict) + "  " + fixedText(verdict.detail);
  } else {
    line += "charged " + money(formatMicros(verdict.charged_micros), fixedText(verdict.currency)) + "  " +
            balanceText(verdict) + "  sent " + std::to_string(result.sent) + "/" +
            std::to_string(batch.recipients.size());
    if (result.settlement) line += "  " + settlementText(result);
  }
  if (verdict.replayed) line += " (replayed)";
  if (result.decision.retried() || result.decision.end != DecisionTrail::End::answered) {
    line += "  " + trailText(result.decision);
  }
  return line;
}

std::string formatReportAcceptedLine(const PendingReport& report, const api::Settlement& settlement,
                                     unsigned attempts, const BatchColumns& columns) {
  std::string line = padRight(report.batch_id, columns.batch_id) + "  " +
                     padRight(report.tenant_id, columns.tenant) + "  report ";
  std::string after = "after " + std::to_string(attempts) + " attempts";
  if (settlement.journaled) return line + kJournaledText + " (" + after + ")";
  return line + "accepted " + after + ": " + refundText(settlement, report.failed());
}

std::string formatReportNotAcceptedLine(const UnacceptedReport& unaccepted) {
  const PendingReport& report = unaccepted.report;
  std::string line = "error: report not accepted: batch " + report.batch_id + " of tenant " +
                     report.tenant_id + ", " + std::to_string(report.recipients.size()) +
                     " outcomes, after " + std::to_string(unaccepted.attempts) +
                     " attempts, last answer " + api::reasonCode(unaccepted.last_answer.reason) +
                     ": " + fixedText(unaccepted.last_answer.detail) +
                     "; re-send it so the failed recipients are refunded:";
  std::string failed;
  for (std::size_t i = 0; i < report.recipients.size(); ++i) {
    if (report.deliveries[i] == api::Delivery::failed) failed += " " + report.recipients[i];
  }
  return line + (failed.empty() ? " none failed" : failed);
}

void TenantTotals::noteBalance(Tally& tally, std::int64_t balance_micros, const char* currency) {
  tally.balance_known = true;
  tally.balance_micros = balance_micros;
  std::string code(currency, ::strnlen(currency, api::kCurrencySize));
  if (!code.empty()) tally.currency = code;
}

void TenantTotals::add(const BatchResult& result) {
  const api::Verdict& verdict = result.verdict();
  Tally& tally = tenants_[result.batch->campaign->tenant];
  switch (verdict.decision) {
    case api::Decision::allow: ++tally.allowed; break;
    case api::Decision::allow_flagged: ++tally.flagged; break;
    case api::Decision::allow_partial: ++tally.partial; break;
    case api::Decision::block: ++tally.blocked; break;
  }
  if (verdict.replayed) ++tally.replayed;
  // A replay after a lost answer is, almost surely, the debit this run made when the answer got
  // lost; a plain replay is an earlier run's.
  if (!verdict.replayed || result.decision.in_doubt) tally.charged_micros += verdict.charged_micros;
  tally.recipients_sent += result.sent;
  if (verdict.balance_known) noteBalance(tally, verdict.balance_after_micros, verdict.currency);
  if (result.settlement && result.settlement->ok) {
    tally.refunded_micros += result.settlement->refunded_micros;
    tally.reports_journaled += result.settlement->journaled ? 1 : 0;
    // A journaled settlement consulted no ledger: its balance says nothing.
    if (!result.settlement->journaled) {
      noteBalance(tally, result.settlement->balance_after_micros, result.settlement->currency);
    }
  }
  bool internal = verdict.reason == api::Reason::internal_error ||
                  (result.settlement && result.settlement->reason == api::Reason::internal_error);
  saw_internal_error_ = saw_internal_error_ || internal;
}

void TenantTotals::addAcceptedReport(const std::string& tenant, const api::Settlement& settlement) {
  Tally& tally = tenants_[tenant];
  tally.refunded_micros += settlement.refunded_micros;
  tally.reports_journaled += settlement.journaled ? 1 : 0;
  if (!settlement.journaled) {
    noteBalance(tally, settlement.balance_after_micros, settlement.currency);
  }
}

std::string TenantTotals::summaryText() const {
  std::size_t tenant_width = 6;  // "tenant"
  for (const auto& [tenant, tally] : tenants_) tenant_width = std::max(tenant_width, tenant.size());
  // Counts are narrow, amounts wide; all right-aligned so the digits line up.
  auto row = [&](const std::vector<std::string>& cells) {
    std::string line = padRight(cells[0], tenant_width);
    for (std::size_t i = 1; i < cells.size(); ++i) {
      line += "  " + padLeft(cells[i], i < 7 || i > 9 ? 8 : 14);
    }
    return line + "\n";
  };
  std::string text = "summary\n" + row({"tenant", "allowed", "flagged", "partial", "blocked",
                                        "replayed", "sent", "charged", "refunded", "balance",
                                        "currency"});
  for (const auto& [tenant, tally] : tenants_) {
    text += row({tenant, std::to_string(tally.allowed), std::to_string(tally.flagged),
                 std::to_string(tally.partial), std::to_string(tally.blocked),
                 std::to_string(tally.replayed), std::to_string(tally.recipients_sent),
                 formatMicros(tally.charged_micros), formatMicros(tally.refunded_micros),
                 tally.balance_known ? formatMicros(tally.balance_micros) : "?",
                 tally.currency.empty() ? "?" : tally.currency});
  }
  for (const auto& [tenant, tally] : tenants_) {
    if (tally.reports_journaled == 0) continue;
    text += tenant + ": " + std::to_string(tally.reports_journaled) +
            " reports were journaled by the plugin during an outage; their refunds are made when "
            "the ledger answers and are not in \"refunded\" above (creditctl ledger shows them)\n";
  }
  return text;
}

}  // namespace sample_gateway
