#include "answer_json.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstring>

#include "decimal_micros.hpp"
#include "excerpt.hpp"

namespace creditgate::server {
namespace json = boost::json;
namespace {

using api::Reason;

void putMoney(json::object& out, std::string_view name, std::int64_t micros) {
  out[name] = formatMicros(micros);
  out[std::string(name) + "_micros"] = std::to_string(micros);
}

void putNull(json::object& out, std::string_view name) {
  out[name] = nullptr;
  out[std::string(name) + "_micros"] = nullptr;
}

// The fixed-size C strings of the host API's structs, as JSON (null when empty, for currency).
std::string_view cText(const char* text, std::size_t size) {
  return {text, strnlen(text, size)};
}

json::value currencyValue(const char (&currency)[api::kCurrencySize]) {
  std::string_view code = cText(currency, sizeof currency);
  return code.empty() ? json::value(nullptr) : json::value(code);
}

// The request field a refusal is about, as the client wrote it ("" when no one field is).
std::string_view fieldOf(Reason reason) {
  switch (reason) {
    case Reason::invalid_tenant_id:
    case Reason::unknown_tenant: return "tenant";
    case Reason::invalid_batch_id: return "batch_id";
    case Reason::invalid_campaign_id: return "campaign";
    case Reason::invalid_template: return "template";
    case Reason::unknown_category: return "category";
    case Reason::no_recipients:
    case Reason::too_many_recipients:
    case Reason::invalid_recipient:
    case Reason::duplicate_recipient:
    case Reason::amount_overflow: return "recipients";
    case Reason::invalid_outcome: return "outcomes";
    default: return "";
  }
}

// The status of a decision's or a quote's refusal, by reason. 0: a verdict, 200.
int refusalStatus(Reason reason) {
  switch (reason) {
    case Reason::batch_conflict: return 409;
    case Reason::invalid_tenant_id:
    case Reason::unknown_tenant:
    case Reason::invalid_batch_id:
    case Reason::invalid_campaign_id:
    case Reason::invalid_template:
    case Reason::unknown_category:
    case Reason::no_recipients:
    case Reason::too_many_recipients:
    case Reason::invalid_recipient:
    case Reason::duplicate_recipient:
    case Reason::amount_overflow:
    case Reason::invalid_outcome: return 422;
    case Reason::unknown_batch: return 404;
    case Reason::ledger_unavailable:
    case Reason::ledger_timeout:
    case Reason::ledger_in_doubt: return 503;
    case Reason::internal_error: return 500;
    default: return 0;
  }
}

// The plugin explains most refusals in `detail`; where it leaves it empty (some quote refusals),
// the client still gets a sentence, not an empty message.
std::string_view messageFor(Reason reason, std::string_view detail) {
  if (!detail.empty()) return detail;
  switch (reason) {
    case Reason::batch_conflict: return "this batch id was used before for other content";
    case Reason::unknown_tenant: return "no such tenant in the ledger";
    case Reason::ledger_unavailable: return "the ledger could not be reached; retry";
    case Reason::ledger_timeout: return "the ledger did not answer in time; retry";
    case Reason::ledger_in_doubt:
      return "the ledger's answer was lost; retry with the same batch id";
    case Reason::internal_error: return "internal error (logged)";
    default: return api::reasonCode(reason);
  }
}

Response answer(int status, json::object body, Reason reason, std::string_view detail) {
  Response response;
  response.status = status;
  if (status != 200) {
    json::object error;
    error["code"] = api::reasonCode(reason);
    const std::string_view message = messageFor(reason, detail);
    error["message"] = message;
    if (body.contains("detail")) body["detail"] = message;  // the two always agree
    if (std::string_view field = fieldOf(reason); !field.empty()) error["field"] = field;
    body["error"] = std::move(error);
  }
  if (status == 503)
    response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  response.body = json::serialize(body);
  return response;
}

}  // namespace

Response decideAnswer(std::string_view batch_id, std::string_view tenant,
                      std::size_t recipients_total, const api::Verdict& verdict) {
  json::object body;
  body["batch_id"] = excerpt(batch_id, 256);  // from the path: may be any bytes
  body["tenant"] = excerpt(tenant, 256);  // may be a refused id: any bytes
  body["decision"] = api::decisionName(verdict.decision);
  body["reason"] = api::reasonCode(verdict.reason);
  const std::string_view detail = cText(verdict.detail, sizeof verdict.detail);
  body["detail"] = detail;
  body["replayed"] = verdict.replayed;
  body["recipients_total"] = recipients_total;
  body["recipients_allowed"] = verdict.recipients_allowed;
  body["currency"] = currencyValue(verdict.currency);
  putMoney(body, "price", verdict.charged_micros);
  if (verdict.balance_known) {
    putMoney(body, "balance", verdict.balance_after_micros);
  } else {
    putNull(body, "balance");
  }
  // allow_flagged during an outage is an answer (the policy chose to send): 200, not 503.
  int status = verdict.decision == api::Decision::block ? refusalStatus(verdict.reason) : 0;
  return answer(status == 0 ? 200 : status, std::move(body), verdict.reason, detail);
}

Response quoteAnswer(std::string_view tenant, std::size_t recipients_total,
                     const api::Quote& quote) {
  json::object body;
  body["tenant"] = excerpt(tenant, 256);  // may be a refused id: any bytes
  body["decision"] = api::decisionName(quote.decision);
  body["reason"] = api::reasonCode(quote.reason);
  const std::string_view detail = cText(quote.detail, sizeof quote.detail);
  body["detail"] = detail;
  // A refused quote is a default Quote: the count is the request's.
  body["recipients_total"] = quote.recipients_total ? quote.recipients_total : recipients_total;
  body["recipients_affordable"] = quote.recipients_affordable;
  body["currency"] = currencyValue(quote.currency);
  putMoney(body, "price", quote.total_micros);
  if (quote.balance_known) {
    putMoney(body, "available", quote.available_micros);
  } else {
    putNull(body, "available");
  }
  json::array lines;
  for (const api::QuoteLine& line : quote.lines) {
    json::object l;
    l["market"] = cText(line.market, sizeof line.market);
    l["category"] = cText(line.category, sizeof line.category);
    l["recipients"] = line.recipients;
    putMoney(l, "unit_price", line.unit_price_micros);
    putMoney(l, "amount", line.amount_micros);
    lines.push_back(std::move(l));
  }
  body["lines"] = std::move(lines);
  // A quote that names a batch id is judged like that batch's retry: 409 for other content.
  const int status = quote.decision == api::Decision::block ? refusalStatus(quote.reason) : 0;
  return answer(status == 0 ? 200 : status, std::move(body), quote.reason, detail);
}

Response outcomesAnswer(std::string_view batch_id, std::string_view tenant,
                        const api::Settlement& settlement) {
  json::object body;
  body["batch_id"] = excerpt(batch_id, 256);  // from the path: may be any bytes
  body["tenant"] = excerpt(tenant, 256);  // may be a refused id: any bytes
  body["accepted"] = settlement.ok;
  body["reason"] = api::reasonCode(settlement.reason);
  const std::string_view detail = cText(settlement.detail, sizeof settlement.detail);
  body["detail"] = detail;
  body["journaled"] = settlement.journaled;
  body["refunded_recipients"] = settlement.refunded_recipients;
  body["already_settled"] = settlement.already_settled;
  body["not_in_batch"] = settlement.not_in_batch;
  body["currency"] = currencyValue(settlement.currency);
  putMoney(body, "refunded", settlement.refunded_micros);
  if (settlement.ok && !settlement.journaled) {
    putMoney(body, "balance", settlement.balance_after_micros);
  } else {
    putNull(body, "balance");
  }
  // Not accepted for a reason that is no refusal of the request: the plugin failed (500).
  const int refused = settlement.ok ? 0 : refusalStatus(settlement.reason);
  return answer(settlement.ok ? 200
                : refused     ? refused
                              : 500,
                std::move(body), settlement.reason, detail);
}

Response balanceAnswer(std::string_view tenant, const api::AccountBalance& balance) {
  json::object body;
  const std::string_view detail = cText(balance.detail, sizeof balance.detail);
  if (!balance.found) {
    int status = balance.reason == Reason::unknown_tenant ? 404 : refusalStatus(balance.reason);
    if (status == 0) status = 500;
    body["tenant"] = excerpt(tenant, 256);  // from the path: may be any bytes
    return answer(status, std::move(body), balance.reason, detail);
  }
  body["tenant"] = excerpt(tenant, 256);  // may be a refused id: any bytes
  body["currency"] = currencyValue(balance.currency);
  putMoney(body, "balance", balance.balance_micros);
  putMoney(body, "debt", balance.debt_micros);
  putMoney(body, "spent_today", balance.spent_today_micros);
  body["level"] = api::balanceLevelName(balance.level);
  return answer(200, std::move(body), balance.reason, detail);
}

Response errorAnswer(int status, std::string_view code, std::string_view message,
                     std::string_view field) {
  json::object error;
  error["code"] = code;
  error["message"] = message;
  if (!field.empty()) error["field"] = field;
  json::object body;
  body["error"] = std::move(error);
  Response response;
  response.status = status;
  if (status == 503)
    response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  response.body = json::serialize(body);
  return response;
}

}  // namespace creditgate::server
