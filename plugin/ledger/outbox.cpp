#include "outbox.hpp"

#include <algorithm>
#include <pqxx/pqxx>

namespace creditgate {
namespace {

constexpr Statement kClaimDeliveries{
    "claim_deliveries",
    "SELECT tenant_id, event_id, channel, kind, attempts, type, payload::text,"
    " (extract(epoch FROM created_at) * 1000000)::bigint, coalesce(campaign_id, ''),"
    " minor_units, coalesce(secrets, '{}')"
    " FROM creditgate.claim_deliveries($1, $2, $3)"};
constexpr Statement kFinishDelivery{
    "finish_delivery", "SELECT creditgate.finish_delivery($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
constexpr Statement kLedgerWatch{
    "ledger_watch",
    "SELECT w.outbox_pending, w.tenant_id, w.currency, w.topup_micros::bigint, w.last_entry_id,"
    " w.balance_micros, b.pending, b.oldest_age_seconds"
    " FROM creditgate.ledger_watch($1) w CROSS JOIN creditgate.delivery_backlog() b"};
constexpr Statement kStatements[] = {kClaimDeliveries, kFinishDelivery, kLedgerWatch};

std::vector<std::string> textArray(const pqxx::field& field) {
  std::vector<std::string> values;
  auto parser = field.as_array();
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
       item = parser.get_next()) {
    if (item.first == pqxx::array_parser::string_value) values.push_back(item.second);
  }
  return values;
}

const char* outcomeName(DeliveryEnd::Outcome outcome) {
  switch (outcome) {
    case DeliveryEnd::Outcome::delivered: return "delivered";
    case DeliveryEnd::Outcome::rejected: return "rejected";
    case DeliveryEnd::Outcome::gone: return "gone";
    case DeliveryEnd::Outcome::retry: break;
  }
  return "retry";
}

}  // namespace

std::span<const Statement> Outbox::statements() {
  return kStatements;
}

// A lost answer here is no doubt about money: an unfinished delivery is claimed again when its
// lease expires (delivery is at least once), so these count as reads.
std::vector<ClaimedDelivery> Outbox::claim(const std::string& relay, int limit, int lease_ms,
                                           Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    std::vector<ClaimedDelivery> deliveries;
    for (const auto& row : database_.exec(txn, kClaimDeliveries, relay, limit, lease_ms)) {
      ClaimedDelivery delivery;
      delivery.tenant_id = row[0].as<std::string>();
      delivery.event_id = row[1].as<std::int64_t>();
      delivery.channel = row[2].as<std::string>();
      delivery.kind = row[3].as<std::string>();
      delivery.attempts = row[4].as<int>();
      delivery.type = row[5].as<std::string>();
      delivery.payload_json = row[6].as<std::string>();
      delivery.created_at = std::chrono::system_clock::time_point(
          std::chrono::microseconds(row[7].as<std::int64_t>()));
      delivery.campaign_id = row[8].as<std::string>();
      if (!row[9].is_null()) delivery.minor_units = row[9].as<int>();
      delivery.secrets = textArray(row[10]);
      deliveries.push_back(std::move(delivery));
    }
    return deliveries;
  });
}

bool Outbox::finish(const std::string& relay, const ClaimedDelivery& delivery,
                    const DeliveryEnd& end, Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    const std::optional<int> status =
        end.status > 0 ? std::optional<int>(end.status) : std::nullopt;
    const std::optional<std::string> error =
        end.error.empty() ? std::nullopt : std::optional<std::string>(end.error);
    return database_
        .exec1(txn, kFinishDelivery, relay, delivery.tenant_id, delivery.event_id, delivery.channel,
               outcomeName(end.outcome), status, error, static_cast<int>(end.retry_after.count()),
               static_cast<std::int64_t>(end.give_up_after.count()))[0]
        .as<bool>();
  });
}

Outbox::Watch Outbox::watch(std::int64_t after_entry_id, Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    Watch out;
    out.last_topup_entry_id = after_entry_id;
    for (const auto& row : database_.exec(txn, kLedgerWatch, after_entry_id)) {
      out.outbox_pending = row[6].as<std::int64_t>();
      out.oldest_undelivered_seconds = row[7].as<std::int64_t>();
      if (row[1].is_null()) continue;  // no new top-ups
      out.topups.push_back({row[1].as<std::string>(), row[2].as<std::string>(),
                            row[3].as<std::int64_t>(), row[5].as<std::int64_t>()});
      out.last_topup_entry_id = std::max(out.last_topup_entry_id, row[4].as<std::int64_t>());
    }
    return out;
  });
}

}  // namespace creditgate
