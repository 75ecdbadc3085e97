#include "console_report.hpp"

#include <algorithm>
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

std::string settlementText(const BatchResult& result) {
  const api::Settlement& settlement = *result.settlement;
  if (!settlement.ok) {
    return "report refused: " + std::string(api::reasonCode(settlement.reason)) + ": " +
           fixedText(settlement.detail);
  }
  std::string text = "refunded " + formatMicros(settlement.refunded_micros) + " (" +
                     std::to_string(result.failed) + " failed";
  if (settlement.already_settled > 0) {
    text += ", " + std::to_string(settlement.already_settled) + " already settled";
  }
  return text + ")";
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
  const api::Verdict& verdict = result.verdict;
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
  return line;
}

void TenantTotals::noteBalance(Tally& tally, std::int64_t balance_micros, const char* currency) {
  tally.balance_known = true;
  tally.balance_micros = balance_micros;
  std::string code(currency, ::strnlen(currency, api::kCurrencySize));
  if (!code.empty()) tally.currency = code;
}

void TenantTotals::add(const BatchResult& result) {
  const api::Verdict& verdict = result.verdict;
  Tally& tally = tenants_[result.batch->campaign->tenant];
  switch (verdict.decision) {
    case api::Decision::allow: ++tally.allowed; break;
    case api::Decision::allow_flagged: ++tally.flagged; break;
    case api::Decision::allow_partial: ++tally.partial; break;
    case api::Decision::block: ++tally.blocked; break;
  }
  if (verdict.replayed) ++tally.replayed;
  else tally.charged_micros += verdict.charged_micros;
  tally.recipients_sent += result.sent;
  if (verdict.balance_known) noteBalance(tally, verdict.balance_after_micros, verdict.currency);
  if (result.settlement && result.settlement->ok) {
    tally.refunded_micros += result.settlement->refunded_micros;
    noteBalance(tally, result.settlement->balance_after_micros, result.settlement->currency);
  }
  bool internal = verdict.reason == api::Reason::internal_error ||
                  (result.settlement && result.settlement->reason == api::Reason::internal_error);
  saw_internal_error_ = saw_internal_error_ || internal;
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
  return text;
}

}  // namespace sample_gateway
