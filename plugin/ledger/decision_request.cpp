#include "decision_request.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "ledger_error.hpp"

namespace creditgate {

std::string decisionRequestJson(const DecisionRequest& r) {
  namespace json = boost::json;
  json::object o;
  o["tenant_id"] = r.tenant_id;
  o["batch_id"] = r.batch_id;
  o["campaign_id"] = r.campaign_id;
  o["template_name"] = r.template_name;
  o["category"] = r.category;
  json::array recipients;
  recipients.reserve(r.recipients.size());
  for (const std::string& recipient : r.recipients) recipients.emplace_back(recipient);
  o["recipients"] = std::move(recipients);
  json::array prices;
  prices.reserve(r.unit_prices_micros.size());
  for (const std::int64_t price : r.unit_prices_micros) prices.emplace_back(price);
  o["unit_prices_micros"] = std::move(prices);
  o["currency"] = r.currency;
  o["policy"] = r.policy;
  o["overdraft_limit_micros"] = r.overdraft_limit_micros;
  o["rate_card_id"] = r.rate_card_id;
  o["warning_micros"] = r.warning_micros ? json::value(*r.warning_micros) : json::value(nullptr);
  o["critical_micros"] = r.critical_micros ? json::value(*r.critical_micros) : json::value(nullptr);
  o["notify_interval_ms"] = r.notify_interval_ms;
  o["attempt"] = r.attempt_id != 0 ? json::value(r.attempt_id) : json::value(nullptr);
  if (!r.decided_at.empty()) o["decided_at"] = r.decided_at;
  return json::serialize(o);
}

api::Decision decisionFromText(std::string_view text) {
  for (auto d : {api::Decision::allow, api::Decision::allow_flagged, api::Decision::allow_partial,
                 api::Decision::block}) {
    if (text == api::decisionName(d)) return d;
  }
  throw LedgerError(LedgerError::Kind::rejected,
                    "unknown decision from the ledger: " + std::string(text));
}

api::Reason reasonFromText(std::string_view text) {
  for (std::uint16_t code = 0; code <= static_cast<std::uint16_t>(api::kLastReason); ++code) {
    const auto reason = static_cast<api::Reason>(code);
    if (text == api::reasonCode(reason)) return reason;
  }
  throw LedgerError(LedgerError::Kind::rejected,
                    "unknown reason from the ledger: " + std::string(text));
}

}  // namespace creditgate
