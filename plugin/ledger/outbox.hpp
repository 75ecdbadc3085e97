// The notification outbox at the ledger (sql/009, sql/023): a relay claims due deliveries (one
// event to one channel) with a lease and finishes each; and the figures metrics watch (backlog,
// top-ups).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "database.hpp"

namespace creditgate {

// One event to one channel, claimed by a relay (sql/023 claim_deliveries).
struct ClaimedDelivery {
  std::string tenant_id;
  std::int64_t event_id = 0;
  std::string channel;  // the contact as listed: email:..., webhook:..., host, or legacy text
  std::string kind;     // email | webhook | host
  int attempts = 0;     // this one included
  std::string type;     // the event's
  std::string payload_json;
  std::chrono::system_clock::time_point created_at;
  std::string campaign_id;           // of the payload's batch; "" when none
  std::optional<int> minor_units;    // of the payload's currency
  std::vector<std::string> secrets;  // a webhook's valid signing secrets; secret, never logged
};

// How one attempt ended (sql/023 finish_delivery).
struct DeliveryEnd {
  enum class Outcome { delivered, retry, rejected, gone } outcome = Outcome::retry;
  int status = 0;  // SMTP reply or HTTP status; 0: no answer
  std::string error;
  std::chrono::milliseconds retry_after{0};
  std::chrono::milliseconds give_up_after{0};  // from the event's creation
};

class Outbox {
 public:
  explicit Outbox(Database& database) : database_(database) {}

  std::vector<ClaimedDelivery> claim(const std::string& relay, int limit, int lease_ms,
                                     Database::Deadline deadline);
  // False when this relay no longer holds the lease (it expired and another relay may have it).
  bool finish(const std::string& relay, const ClaimedDelivery& delivery, const DeliveryEnd& end,
              Database::Deadline deadline);

  // For metrics: the outbox backlog and the top-ups after entry `after_entry_id`, per tenant.
  struct Watch {
    std::int64_t outbox_pending = 0;  // deliveries to make, events to fan out
    std::int64_t oldest_undelivered_seconds = 0;
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
