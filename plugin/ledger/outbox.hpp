// The notification outbox at the ledger (sql/009_notifications.sql): a relay claims due events
// with a lease, marks each sent or failed; and the figures metrics watch (backlog, top-ups).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "database.hpp"

namespace creditgate {

struct ClaimedEvent {
  std::int64_t event_id = 0;
  std::string tenant_id;
  std::string type;
  std::string payload_json;
  std::vector<std::string> contacts;
  int attempts = 0;
};

class Outbox {
 public:
  explicit Outbox(Database& database) : database_(database) {}

  std::vector<ClaimedEvent> claim(const std::string& relay, int limit, int lease_ms,
                                  Database::Deadline deadline);
  // False when this relay no longer holds the lease (another took the event over).
  bool markSent(const std::string& relay, std::int64_t event_id, Database::Deadline deadline);
  bool markFailed(const std::string& relay, std::int64_t event_id, const std::string& error,
                  int retry_after_ms, Database::Deadline deadline);

  // For metrics: the outbox backlog and the top-ups after entry `after_entry_id`, per tenant.
  struct Watch {
    std::int64_t outbox_pending = 0;
    struct Topups {  // one tenant's new top-ups
      std::string tenant_id;
      std::string currency;
      std::int64_t micros = 0;
      std::int64_t balance_micros = 0;  // now
    };
    std::vector<Topups> topups;
    std::int64_t last_topup_entry_id = 0;
  };
  Watch watch(std::int64_t after_entry_id, Database::Deadline deadline);

  static std::span<const Statement> statements();

 private:
  Database& database_;
};

}  // namespace creditgate
