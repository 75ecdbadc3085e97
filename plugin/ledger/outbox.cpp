#include "outbox.hpp"

#include <algorithm>
#include <pqxx/pqxx>

namespace creditgate {
namespace {

constexpr const char* kClaimEvents = "claim_events";
constexpr const char* kMarkEventSent = "mark_event_sent";
constexpr const char* kMarkEventFailed = "mark_event_failed";
constexpr const char* kLedgerWatch = "ledger_watch";
constexpr Statement kStatements[] = {
    {kClaimEvents,
     "SELECT event_id, tenant_id, type, payload::text, contacts, attempts"
     " FROM creditgate.claim_events($1, $2, $3)"},
    {kMarkEventSent, "SELECT creditgate.mark_event_sent($1, $2)"},
    {kMarkEventFailed, "SELECT creditgate.mark_event_failed($1, $2, $3, $4)"},
    {kLedgerWatch,
     "SELECT outbox_pending, tenant_id, currency, topup_micros::bigint, last_entry_id,"
     " balance_micros FROM creditgate.ledger_watch($1)"},
};

}  // namespace

std::span<const Statement> Outbox::statements() {
  return kStatements;
}

// A lost answer here is no doubt about money: an unmarked event is claimed again when its lease
// expires (delivery is at least once), so these count as reads.
std::vector<ClaimedEvent> Outbox::claim(const std::string& relay, int limit, int lease_ms,
                                        Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    std::vector<ClaimedEvent> events;
    for (const auto& row : txn.exec_prepared(kClaimEvents, relay, limit, lease_ms)) {
      ClaimedEvent event;
      event.event_id = row[0].as<std::int64_t>();
      event.tenant_id = row[1].as<std::string>();
      event.type = row[2].as<std::string>();
      event.payload_json = row[3].as<std::string>();
      auto contacts = row[4].as_array();
      for (auto item = contacts.get_next(); item.first != pqxx::array_parser::done;
           item = contacts.get_next()) {
        if (item.first == pqxx::array_parser::string_value) event.contacts.push_back(item.second);
      }
      event.attempts = row[5].as<int>();
      events.push_back(std::move(event));
    }
    return events;
  });
}

bool Outbox::markSent(const std::string& relay, std::int64_t event_id,
                      Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kMarkEventSent, relay, event_id)[0].as<bool>();
  });
}

bool Outbox::markFailed(const std::string& relay, std::int64_t event_id, const std::string& error,
                        int retry_after_ms, Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kMarkEventFailed, relay, event_id, error, retry_after_ms)[0]
        .as<bool>();
  });
}

Outbox::Watch Outbox::watch(std::int64_t after_entry_id, Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    Watch out;
    out.last_topup_entry_id = after_entry_id;
    for (const auto& row : txn.exec_prepared(kLedgerWatch, after_entry_id)) {
      out.outbox_pending = row[0].as<std::int64_t>();
      if (row[1].is_null()) continue;  // no new top-ups
      out.topups.push_back({row[1].as<std::string>(), row[2].as<std::string>(),
                            row[3].as<std::int64_t>(), row[5].as<std::int64_t>()});
      out.last_topup_entry_id = std::max(out.last_topup_entry_id, row[4].as<std::int64_t>());
    }
    return out;
  });
}

}  // namespace creditgate
