#include "decisions.hpp"

#include <pqxx/pqxx>

#include "pg_field.hpp"

namespace creditgate {
namespace {

constexpr Statement kDecideBatches{
    "decide_batches",
    "SELECT ordinal, decision, reason, charged_micros, balance_after_micros, recipients_allowed,"
    " replayed, currency, error, fallback FROM creditgate.decide_batches($1::jsonb)"};
constexpr Statement kQuoteRequest{
    "quote_request",
    "SELECT decision, reason, balance_micros, available_micros, recipients_affordable, currency"
    " FROM creditgate.quote_request($1::jsonb)"};
constexpr Statement kStatements[] = {kDecideBatches, kQuoteRequest};

LedgerDecision decisionFrom(const pqxx::row& row) {
  LedgerDecision out;
  out.decision = decisionFromText(row["decision"].c_str());
  out.reason = reasonFromText(row["reason"].c_str());
  out.charged_micros = row["charged_micros"].as<std::int64_t>();
  out.balance_after_micros = optionalField<std::int64_t>(row["balance_after_micros"]);
  out.recipients_allowed = row["recipients_allowed"].as<std::uint32_t>();
  out.replayed = row["replayed"].as<bool>();
  out.currency = row["currency"].is_null() ? "" : row["currency"].c_str();
  return out;
}

}  // namespace

std::span<const Statement> Decisions::statements() {
  return kStatements;
}

LedgerDecision Decisions::Flushed::take() && {
  if (error) {
    throw LedgerError(LedgerError::Kind::rejected, "the ledger refused the batch",
                      "the ledger refused the batch: " + *error);
  }
  return std::move(decision);
}

Decisions::Flush Decisions::decideAll(std::span<const std::string> requests_json,
                                      Database::Deadline deadline) {
  const std::size_t count = requests_json.size();
  std::string batches_json = "[";
  for (const std::string& request : requests_json) {
    if (batches_json.size() > 1) batches_json += ',';
    batches_json += request;
  }
  batches_json += ']';
  return database_.perform(Database::Effect::write, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);  // the function's work is one transaction
    const pqxx::result rows = database_.exec(txn, kDecideBatches, batches_json);
    if (rows.size() != count) {
      throw LedgerError(LedgerError::Kind::rejected, "decide_batches answered " +
                                                         std::to_string(rows.size()) + " of " +
                                                         std::to_string(count) + " batches");
    }
    Flush flush;
    flush.results.resize(count);
    for (const auto& row : rows) {
      const auto index = row["ordinal"].as<std::size_t>() - 1;
      if (index >= count) throw LedgerError(LedgerError::Kind::rejected, "bad ordinal");
      Flushed& flushed = flush.results[index];
      flushed.error = optionalField<std::string>(row["error"]);
      if (!flushed.error) flushed.decision = decisionFrom(row);
      if (!flush.fallback) flush.fallback = optionalField<std::string>(row["fallback"]);
    }
    return flush;
  });
}

LedgerDecision Decisions::decide(const DecisionRequest& request, Database::Deadline deadline) {
  const std::string json[] = {decisionRequestJson(request)};
  return std::move(decideAll(json, deadline).results[0]).take();
}

LedgerQuote Decisions::quote(const DecisionRequest& request, Database::Deadline deadline) {
  const std::string json = decisionRequestJson(request);
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    const pqxx::row row = database_.exec1(txn, kQuoteRequest, json);
    LedgerQuote out;
    out.decision = decisionFromText(row["decision"].c_str());
    out.reason = reasonFromText(row["reason"].c_str());
    out.balance_micros = optionalField<std::int64_t>(row["balance_micros"]);
    out.available_micros = optionalField<std::int64_t>(row["available_micros"]);
    out.recipients_affordable = row["recipients_affordable"].as<std::uint32_t>();
    out.currency = row["currency"].is_null() ? "" : row["currency"].c_str();
    return out;
  });
}

}  // namespace creditgate
