#include "settlements.hpp"

#include <pqxx/pqxx>

#include "decision_request.hpp"  // reasonFromText
#include "pg_array.hpp"
#include "pg_field.hpp"

namespace creditgate {
namespace {

constexpr Statement kSettleOutcomes{
    "settle_outcomes",
    "SELECT * FROM creditgate.settle_outcomes($1, $2, $3::text[], $4::boolean[])"};
constexpr Statement kStatements[] = {kSettleOutcomes};

}  // namespace

std::span<const Statement> Settlements::statements() {
  return kStatements;
}

LedgerSettlement Settlements::settle(std::string_view tenant_id, std::string_view batch_id,
                                     std::span<const std::string_view> recipients,
                                     std::span<const bool> delivered, Database::Deadline deadline) {
  const std::string recipient_array = pgTextArray(recipients);
  const std::string delivered_array = pgBoolArray(delivered);
  return database_.perform(Database::Effect::write, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    const pqxx::row row = database_.exec1(txn, kSettleOutcomes, bindableText(tenant_id),
                                          bindableText(batch_id), recipient_array, delivered_array);
    LedgerSettlement out;
    out.reason = reasonFromText(row["status"].c_str());
    out.refunded_recipients = row["refunded_recipients"].as<std::uint32_t>();
    out.refunded_micros = row["refunded_micros"].as<std::int64_t>();
    out.already_settled = row["already_settled"].as<std::uint32_t>();
    out.not_in_batch = row["not_in_batch"].as<std::uint32_t>();
    out.balance_after_micros = optionalField<std::int64_t>(row["balance_after_micros"]);
    out.currency = row["currency"].is_null() ? "" : row["currency"].c_str();
    return out;
  });
}

}  // namespace creditgate
