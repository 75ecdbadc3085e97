// The plugin's side of the PostgreSQL ledger: every call is one round trip to one SECURITY DEFINER
// function (sql/004_money_functions.sql), through a prepared statement, on a pooled connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "circuit_breaker.hpp"
#include "connection_pool.hpp"
#include "creditgate/host_api.hpp"
#include "ledger_error.hpp"
#include "rate_snapshot.hpp"

namespace creditgate {

// Told of what happens to the ledger's calls: the outage log and the metrics listen here.
class LedgerObserver {
 public:
  // Every call that reached for the database and failed (not the calls an open circuit refused).
  virtual void ledgerCallFailed(const LedgerError& error) noexcept = 0;
  // The circuit opened because of `error`, or closed again: once per outage each.
  virtual void ledgerCircuitOpened(const LedgerError& error) noexcept = 0;
  virtual void ledgerCircuitClosed() noexcept = 0;

 protected:
  ~LedgerObserver() = default;
};

struct DecisionRequest {
  std::string_view tenant_id;
  std::string_view batch_id;
  std::string_view campaign_id;
  std::string_view template_name;
  std::string_view category;
  std::span<const std::string_view> recipients;
  std::span<const std::int64_t> unit_prices_micros;
  std::string_view currency;
  std::string_view policy;  // block | flag | partial
  std::int64_t overdraft_limit_micros = 0;
  std::int64_t rate_card_id = 0;
  // Low-balance thresholds (nullopt: off) and the minimum interval between notifications.
  std::optional<std::int64_t> warning_micros;
  std::optional<std::int64_t> critical_micros;
  int notify_interval_ms = 0;
  // This decide() call's id (0: none). The ledger remembers which calls got a batch's verdict, so a
  // debit whose every answer was lost can be voided (sql/014_doubt_and_outage.sql).
  std::int64_t attempt_id = 0;
  // A batch sent during an outage and decided now, on replay: when it was sent (UTC, ISO 8601, as
  // the batch's decided_at); empty: now.
  std::string decided_at;
};

// What pricing needs to know about a tenant.
struct TenantProfile {
  std::string currency;                     // ISO 4217, fixed for life
  bool auth_international_eligible = false;
  std::optional<std::string> home_market;   // the market that is not "international" for it
};

struct LedgerDecision {
  api::Decision decision = api::Decision::block;
  api::Reason reason = api::Reason::internal_error;
  std::int64_t charged_micros = 0;
  std::optional<std::int64_t> balance_after_micros;
  std::uint32_t recipients_allowed = 0;
  bool replayed = false;
  std::string currency;
};

struct LedgerQuote {
  api::Decision decision = api::Decision::block;
  api::Reason reason = api::Reason::internal_error;
  std::optional<std::int64_t> balance_micros;
  std::optional<std::int64_t> available_micros;
  std::uint32_t recipients_affordable = 0;
  std::string currency;
};

// What void_doubtful_batches did with one batch whose decision was in doubt.
struct DoubtResolution {
  std::string tenant_id;
  std::string batch_id;
  std::string resolution;  // voided | kept | not_recorded
  std::int64_t voided_micros = 0;
  std::string currency;
};

struct LedgerSettlement {
  api::Reason reason = api::Reason::internal_error;  // ok | unknown_tenant | unknown_batch
  std::uint32_t refunded_recipients = 0;
  std::int64_t refunded_micros = 0;
  std::uint32_t already_settled = 0;
  std::uint32_t not_in_batch = 0;
  std::optional<std::int64_t> balance_after_micros;
  std::string currency;
};

// An outbox event claimed by a relay (sql/009_notifications.sql).
struct ClaimedEvent {
  std::int64_t event_id = 0;
  std::string tenant_id;
  std::string type;
  std::string payload_json;
  std::vector<std::string> contacts;
  int attempts = 0;
};

class Ledger {
 public:
  using Deadline = ConnectionPool::Clock::time_point;

  // `observer` (may be null) must outlive the ledger.
  explicit Ledger(PoolOptions options, LedgerObserver* observer = nullptr);

  // All of these throw LedgerError. A call whose connection broke is retried once on a fresh
  // connection (every call here is idempotent: decisions by batch id, settlements by recipient);
  // when the retry fails too, a call that may have changed money is in_doubt.
  LedgerDecision decide(const DecisionRequest& request, Deadline deadline);
  // Group commit: many decisions in one transaction (sql/012_group_commit.sql). `batches_json` is a
  // JSON array of requests (see decisionRequestJson); one result per element, in order; a batch
  // that failed alone carries its error and moved nothing.
  struct FlushedDecision {
    LedgerDecision decision;
    std::optional<std::string> error;
  };
  std::vector<FlushedDecision> decideMany(const std::string& batches_json, std::size_t count,
                                          Deadline deadline);
  LedgerQuote quote(const DecisionRequest& request, Deadline deadline);
  LedgerSettlement settle(std::string_view tenant_id, std::string_view batch_id,
                          std::span<const std::string_view> recipients,
                          std::span<const bool> delivered, Deadline deadline);
  // nullopt: no such tenant.
  std::optional<TenantProfile> tenantProfile(std::string_view tenant_id, Deadline deadline);

  // Decisions in doubt: note a lost attempt; resolve those the ledger has known of for `grace_ms`.
  void noteDoubt(std::string_view tenant_id, std::string_view batch_id, std::int64_t attempt_id,
                 Deadline deadline);
  std::vector<DoubtResolution> voidDoubtfulBatches(int grace_ms, int limit, Deadline deadline);
  std::int64_t rateDataVersion(Deadline deadline);
  // The rate data in force on `day` (YYYY-MM-DD), read in one consistent snapshot.
  RateData loadRateData(const std::string& day, Deadline deadline);

  // The outbox relay's calls.
  std::vector<ClaimedEvent> claimEvents(const std::string& relay, int limit, int lease_ms,
                                        Deadline deadline);
  bool markEventSent(const std::string& relay, std::int64_t event_id, Deadline deadline);
  bool markEventFailed(const std::string& relay, std::int64_t event_id, const std::string& error,
                       int retry_after_ms, Deadline deadline);

  int poolSize() const noexcept { return pool_.size(); }
  ConnectionPool::Stats poolStats() { return pool_.stats(); }

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
  Watch watch(std::int64_t after_entry_id, Deadline deadline);

 private:
  // Whether losing a call's answer leaves something unknown: a call that may write money is then in
  // doubt; a read is simply unavailable.
  enum class Effect { read, write };
  template <typename Work>
  auto perform(Effect effect, Deadline deadline, Work&& work);
  LedgerError failed(LedgerError error);  // counts it, opens the circuit when due
  void succeeded();

  ConnectionPool pool_;
  CircuitBreaker breaker_;
  LedgerObserver* observer_;
  std::mutex cause_mutex_;
  std::string last_cause_;  // of the last failure: what a call the open circuit refuses says
};

api::Decision decisionFromText(std::string_view text);  // throws LedgerError(rejected)
// One element of decideMany()'s JSON array.
std::string decisionRequestJson(const DecisionRequest& request);
api::Reason reasonFromText(std::string_view text);      // throws LedgerError(rejected)

}  // namespace creditgate
