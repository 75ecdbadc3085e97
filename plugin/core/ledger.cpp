#include "ledger.hpp"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <pqxx/pqxx>
#include <utility>
#include <vector>

#include "pg_array.hpp"

namespace creditgate {
namespace {

// Statement names double as what logs and errors call them.
constexpr const char* kDecideBatch = "decide_batch";
constexpr const char* kQuoteBatch = "quote_batch";
constexpr const char* kDecideBatches = "decide_batches";
constexpr const char* kSettleOutcomes = "settle_outcomes";
constexpr const char* kTenantProfile = "tenant_profile";
constexpr const char* kRateDataVersion = "rate_data_version";
constexpr const char* kClaimEvents = "claim_events";
constexpr const char* kLedgerWatch = "ledger_watch";
constexpr const char* kMarkEventSent = "mark_event_sent";
constexpr const char* kMarkEventFailed = "mark_event_failed";
constexpr const char* kNoteDoubt = "note_doubt";
constexpr const char* kVoidDoubtfulBatches = "void_doubtful_batches";

struct Statement {
  const char* name;
  const char* sql;
};
constexpr Statement kStatements[] = {
    {kDecideBatch,
     "SELECT * FROM creditgate.decide_batch($1, $2, $3, $4, $5, $6::text[], $7::bigint[], $8, $9,"
     " $10, $11, $12, $13, $14, $15)"},
    {kDecideBatches,
     "SELECT ordinal, decision, reason, charged_micros, balance_after_micros, recipients_allowed,"
     " replayed, currency, error FROM creditgate.decide_batches($1::jsonb)"},
    {kQuoteBatch,
     "SELECT * FROM creditgate.quote_batch($1, $2, $3, $4, $5, $6::text[], $7::bigint[], $8, $9,"
     " $10)"},
    {kSettleOutcomes,
     "SELECT * FROM creditgate.settle_outcomes($1, $2, $3::text[], $4::boolean[])"},
    {kTenantProfile,
     "SELECT currency, auth_international_eligible, home_market"
     " FROM creditgate.tenant_profile($1)"},
    {kRateDataVersion, "SELECT creditgate.rate_data_version()"},
    {kClaimEvents,
     "SELECT event_id, tenant_id, type, payload::text, contacts, attempts"
     " FROM creditgate.claim_events($1, $2, $3)"},
    {kLedgerWatch,
     "SELECT outbox_pending, tenant_id, currency, topup_micros::bigint, last_entry_id,"
     " balance_micros FROM creditgate.ledger_watch($1)"},
    {kMarkEventSent, "SELECT creditgate.mark_event_sent($1, $2)"},
    {kMarkEventFailed, "SELECT creditgate.mark_event_failed($1, $2, $3, $4)"},
    {kNoteDoubt, "SELECT creditgate.note_doubt($1, $2, $3)"},
    {kVoidDoubtfulBatches,
     "SELECT tenant_id, batch_id, resolution, voided_micros, currency"
     " FROM creditgate.void_doubtful_batches($1, $2)"},
};

// Every statement is prepared on the server when the connection is made, not at its first use
// (libpqxx's default): a call then sends exactly its own request, so a lost answer means the
// request itself reached the server (in doubt), never a PREPARE that did.
void prepareStatements(pqxx::connection& connection) {
  for (const Statement& statement : kStatements) {
    connection.prepare(statement.name, statement.sql);
    connection.prepare_now(statement.name);
  }
}

// SQLSTATEs that mean the session is gone: class 08 (connection exception) and the server
// terminating backends (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now).
bool sessionLost(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

std::string firstLine(const char* what) {
  std::string text(what);
  if (auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
  return text;
}

// libpqxx 6.4 has no string_traits for std::string_view parameters.
std::string text(std::string_view view) {
  return std::string(view);
}

// A bigint parameter that may be NULL (libpqxx 6.4 binds a null const char* as NULL).
struct OptionalBigint {
  std::string text;
  bool null = true;
};
const char* bindable(const OptionalBigint& value) {
  return value.null ? nullptr : value.text.c_str();
}
OptionalBigint optionalTextOf(const std::optional<std::int64_t>& value) {
  return value ? OptionalBigint{std::to_string(*value), false} : OptionalBigint{};
}

template <typename T>
std::optional<T> optionalField(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

}  // namespace

api::Decision decisionFromText(std::string_view text) {
  for (auto d : {api::Decision::allow, api::Decision::allow_flagged, api::Decision::allow_partial,
                 api::Decision::block}) {
    if (text == api::decisionName(d)) return d;
  }
  throw LedgerError(LedgerError::Kind::rejected,
                    "unknown decision from the ledger: " + std::string(text));
}

api::Reason reasonFromText(std::string_view text) {
  for (std::uint16_t code = 0; code <= static_cast<std::uint16_t>(api::kLastReason);
       ++code) {
    const auto reason = static_cast<api::Reason>(code);
    if (text == api::reasonCode(reason)) return reason;
  }
  throw LedgerError(LedgerError::Kind::rejected,
                    "unknown reason from the ledger: " + std::string(text));
}

// Three failures in a row open the circuit for 0.25 s, doubling per failed probe up to 1 s.
Ledger::Ledger(PoolOptions options, LedgerObserver* observer)
    : pool_(std::move(options), prepareStatements),
      breaker_(3, std::chrono::milliseconds(250), std::chrono::seconds(1)),
      observer_(observer) {}

// A failure that says "the database is in trouble": counted, and towards opening the circuit.
LedgerError Ledger::failed(LedgerError error) {
  {
    std::lock_guard lock(cause_mutex_);
    last_cause_ = error.cause();
  }
  if (observer_) observer_->ledgerCallFailed(error);
  if (breaker_.recordFailure() == CircuitBreaker::Transition::opened && observer_) {
    observer_->ledgerCircuitOpened(error);
  }
  return error;
}

// The database answered (perhaps with a refusal): it is there.
void Ledger::succeeded() {
  if (breaker_.recordSuccess() == CircuitBreaker::Transition::closed && observer_) {
    observer_->ledgerCircuitClosed();
  }
}

// The one way to the database: a pooled connection, the deadline, the retry-once rule and the
// classification of every failure. A connection that broke under a call (a killed backend, a
// restart) is retried once on a fresh one; safe for every call here, since decisions and
// settlements are idempotent by batch id and recipient and the rest only read or re-claim. It is
// not a retry policy for a database that is down: the fresh connection then fails to connect. What
// it must not do is hide doubt: once a request may have reached the server, a call that writes
// money ends in_doubt unless the retry gets a real answer (libpqxx's transactor refuses to retry
// an in-doubt commit for the same reason; here the batch id makes the retry itself safe).
template <typename Work>
auto Ledger::perform(Effect effect, Deadline deadline, Work&& work) {
  if (!breaker_.allowCall()) {
    // Refused at once; the cause is the failure's that opened the circuit (a wrong password says
    // so on every batch, not only on the first three).
    std::string cause;
    {
      std::lock_guard lock(cause_mutex_);
      cause = last_cause_.empty() ? "the ledger is failing" : last_cause_;
    }
    throw LedgerError(LedgerError::Kind::unavailable, cause,
                      "the ledger is failing (" + cause + "): circuit open, not waiting for it");
  }
  // Set once a try's request may have reached the server: from then on, a write that gets no
  // answer is in doubt, whatever the next failure says.
  std::optional<std::string> sent_and_lost;
  auto settle = [&](LedgerError error) -> LedgerError {
    if (sent_and_lost && effect == Effect::write && error.kind() != LedgerError::Kind::rejected) {
      return LedgerError(LedgerError::Kind::in_doubt, "the answer was lost: " + *sent_and_lost,
                         std::string("a call's answer was lost (") + *sent_and_lost +
                             ") and its retry failed: " + error.what());
    }
    return error;
  };
  for (int attempt = 1;; ++attempt) {
    std::optional<ConnectionPool::Lease> lease;
    try {
      lease.emplace(pool_.acquire(deadline));
    } catch (const PoolUnavailable& e) {
      throw failed(settle(
          LedgerError(e.timedOut() ? LedgerError::Kind::timeout : LedgerError::Kind::unavailable,
                      e.cause(), e.what())));
    } catch (...) {
      failed(LedgerError(LedgerError::Kind::unavailable, "cannot connect"));
      throw;
    }
    // The connection broke with the request in flight: retry once on a fresh one, if time allows.
    // Returns only when the retry may go ahead.
    auto lostConnection = [&](const std::string& cause, const std::string& line) {
      lease->discard();
      sent_and_lost = cause;
      if (attempt > 1 || ConnectionPool::Clock::now() >= deadline) {
        throw failed(settle(LedgerError(LedgerError::Kind::unavailable, cause, line)));
      }
      pool_.dropIdle();  // the retry gets a fresh connection, not a sibling of the broken one
    };
    try {
      auto result = work(lease->connection());
      succeeded();
      return result;
    } catch (const LedgerError&) {
      succeeded();  // the database answered; the answer was wrong (e.g. an unknown reason code)
      throw;
    } catch (const pqxx::in_doubt_error& e) {
      lease->discard();
      throw failed(
          LedgerError(LedgerError::Kind::in_doubt, "the answer was lost during commit",
                      "the ledger connection broke during commit: " + firstLine(e.what())));
    } catch (const pqxx::broken_connection& e) {
      lostConnection("the connection broke", "the ledger connection broke: " + firstLine(e.what()));
      continue;
    } catch (const pqxx::sql_error& e) {
      const std::string line = firstLine(e.what());
      if (sessionLost(e.sqlstate())) {
        lostConnection("the server ended the session", "the ledger ended the session: " + line);
        continue;
      }
      // 57014 query_canceled (statement_timeout): cancelled, so rolled back.
      if (e.sqlstate() == "57014") {
        lease->discard();  // it may still be busy cancelling
        throw failed(settle(LedgerError(LedgerError::Kind::timeout, "statement timeout",
                                        "the ledger did not answer before the deadline: " + line)));
      }
      succeeded();  // a contended row or a refused call: the database itself is fine
      // 55P03 lock_not_available (lock_timeout): this tenant only; does not open the circuit.
      if (e.sqlstate() == "55P03") {
        const LedgerError error = settle(LedgerError(
            LedgerError::Kind::timeout, "the tenant's row stayed locked past the deadline",
            "a tenant row stayed locked past the deadline: " + line));
        if (observer_) observer_->ledgerCallFailed(error);
        throw error;
      }
      // A statement that failed mid-way may leave the session in a state we do not want to reuse.
      lease->discard();
      const LedgerError error(LedgerError::Kind::rejected, "the ledger refused the call",
                              "the ledger refused the call: " + line);
      if (observer_) observer_->ledgerCallFailed(error);
      throw error;
    } catch (const pqxx::failure& e) {
      lostConnection("the connection failed", "ledger failure: " + firstLine(e.what()));
      continue;
    } catch (...) {
      succeeded();  // not the database's fault (e.g. a conversion): never leave a half-open probe
      throw;        // marked as running forever
    }
  }
}

namespace {

// A decision_result (decide_batch) or flushed_decision (decide_batches) row.
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

LedgerDecision Ledger::decide(const DecisionRequest& r, Deadline deadline) {
  const std::string recipients = pgTextArray(r.recipients);
  const std::string prices = pgBigintArray(r.unit_prices_micros);
  const OptionalBigint warning = optionalTextOf(r.warning_micros);
  const OptionalBigint critical = optionalTextOf(r.critical_micros);
  const OptionalBigint attempt =
      optionalTextOf(r.attempt_id != 0 ? std::optional<std::int64_t>(r.attempt_id) : std::nullopt);
  return perform(Effect::write, deadline, [&](pqxx::connection& connection) {
    // One autocommit statement: the function's work is one transaction and one round trip.
    pqxx::nontransaction txn(connection);
    pqxx::row row = txn.exec_prepared1(kDecideBatch, text(r.tenant_id), text(r.batch_id),
                                       text(r.campaign_id), text(r.template_name), text(r.category),
                                       recipients, prices, text(r.currency), text(r.policy),
                                       r.overdraft_limit_micros, r.rate_card_id, bindable(warning),
                                       bindable(critical), r.notify_interval_ms, bindable(attempt));
    return decisionFrom(row);
  });
}

std::vector<Ledger::FlushedDecision> Ledger::decideMany(const std::string& batches_json,
                                                        std::size_t count, Deadline deadline) {
  return perform(Effect::write, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);  // the function's work is one transaction
    const pqxx::result rows = txn.exec_prepared(kDecideBatches, batches_json);
    if (rows.size() != count) {
      throw LedgerError(LedgerError::Kind::rejected, "decide_batches answered " +
                                                         std::to_string(rows.size()) + " of " +
                                                         std::to_string(count) + " batches");
    }
    std::vector<FlushedDecision> out(count);
    for (const auto& row : rows) {
      const auto index = row["ordinal"].as<std::size_t>() - 1;
      if (index >= count) throw LedgerError(LedgerError::Kind::rejected, "bad ordinal");
      FlushedDecision& flushed = out[index];
      flushed.error = optionalField<std::string>(row["error"]);
      if (!flushed.error) flushed.decision = decisionFrom(row);
    }
    return out;
  });
}

std::string decisionRequestJson(const DecisionRequest& r) {
  namespace json = boost::json;
  json::object o;
  o["tenant_id"] = json::string_view(r.tenant_id.data(), r.tenant_id.size());
  o["batch_id"] = json::string_view(r.batch_id.data(), r.batch_id.size());
  o["campaign_id"] = json::string_view(r.campaign_id.data(), r.campaign_id.size());
  o["template_name"] = json::string_view(r.template_name.data(), r.template_name.size());
  o["category"] = json::string_view(r.category.data(), r.category.size());
  json::array recipients;
  recipients.reserve(r.recipients.size());
  for (const auto recipient : r.recipients) {
    recipients.emplace_back(json::string_view(recipient.data(), recipient.size()));
  }
  o["recipients"] = std::move(recipients);
  json::array prices;
  prices.reserve(r.unit_prices_micros.size());
  for (const std::int64_t price : r.unit_prices_micros) prices.emplace_back(price);
  o["unit_prices_micros"] = std::move(prices);
  o["currency"] = json::string_view(r.currency.data(), r.currency.size());
  o["policy"] = json::string_view(r.policy.data(), r.policy.size());
  o["overdraft_limit_micros"] = r.overdraft_limit_micros;
  o["rate_card_id"] = r.rate_card_id;
  o["warning_micros"] = r.warning_micros ? json::value(*r.warning_micros) : json::value(nullptr);
  o["critical_micros"] = r.critical_micros ? json::value(*r.critical_micros) : json::value(nullptr);
  o["notify_interval_ms"] = r.notify_interval_ms;
  o["attempt"] = r.attempt_id != 0 ? json::value(r.attempt_id) : json::value(nullptr);
  if (!r.decided_at.empty()) o["decided_at"] = r.decided_at;
  return json::serialize(o);
}

LedgerQuote Ledger::quote(const DecisionRequest& r, Deadline deadline) {
  const std::string recipients = pgTextArray(r.recipients);
  const std::string prices = pgBigintArray(r.unit_prices_micros);
  return perform(Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    pqxx::row row =
        txn.exec_prepared1(kQuoteBatch, text(r.tenant_id), text(r.batch_id), text(r.campaign_id),
                           text(r.template_name), text(r.category), recipients, prices,
                           text(r.currency), text(r.policy), r.overdraft_limit_micros);
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

LedgerSettlement Ledger::settle(std::string_view tenant_id, std::string_view batch_id,
                                std::span<const std::string_view> recipients,
                                std::span<const bool> delivered, Deadline deadline) {
  const std::string recipient_array = pgTextArray(recipients);
  const std::string delivered_array = pgBoolArray(delivered);
  return perform(Effect::write, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    pqxx::row row = txn.exec_prepared1(kSettleOutcomes, text(tenant_id), text(batch_id),
                                       recipient_array, delivered_array);
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

std::optional<TenantProfile> Ledger::tenantProfile(std::string_view tenant_id, Deadline deadline) {
  return perform(Effect::read, deadline,
                 [&](pqxx::connection& connection) -> std::optional<TenantProfile> {
                   pqxx::nontransaction txn(connection);
                   const pqxx::result rows = txn.exec_prepared(kTenantProfile, text(tenant_id));
                   if (rows.empty()) return std::nullopt;
                   TenantProfile profile;
                   profile.currency = rows[0][0].as<std::string>();
                   profile.auth_international_eligible = rows[0][1].as<bool>();
                   profile.home_market = optionalField<std::string>(rows[0][2]);
                   return profile;
                 });
}

std::int64_t Ledger::rateDataVersion(Deadline deadline) {
  return perform(Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kRateDataVersion)[0].as<std::int64_t>();
  });
}

std::vector<ClaimedEvent> Ledger::claimEvents(const std::string& relay, int limit, int lease_ms,
                                              Deadline deadline) {
  return perform(Effect::read, deadline, [&](pqxx::connection& connection) {
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

bool Ledger::markEventSent(const std::string& relay, std::int64_t event_id, Deadline deadline) {
  return perform(Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kMarkEventSent, relay, event_id)[0].as<bool>();
  });
}

bool Ledger::markEventFailed(const std::string& relay, std::int64_t event_id,
                             const std::string& error, int retry_after_ms, Deadline deadline) {
  return perform(Effect::read, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kMarkEventFailed, relay, event_id, error, retry_after_ms)[0]
        .as<bool>();
  });
}

Ledger::Watch Ledger::watch(std::int64_t after_entry_id, Deadline deadline) {
  return perform(Effect::read, deadline, [&](pqxx::connection& connection) {
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

void Ledger::noteDoubt(std::string_view tenant_id, std::string_view batch_id,
                       std::int64_t attempt_id, Deadline deadline) {
  perform(Effect::write, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    txn.exec_prepared(kNoteDoubt, text(tenant_id), text(batch_id), attempt_id);
    return 0;
  });
}

std::vector<DoubtResolution> Ledger::voidDoubtfulBatches(int grace_ms, int limit,
                                                         Deadline deadline) {
  return perform(Effect::write, deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    std::vector<DoubtResolution> out;
    for (const auto& row : txn.exec_prepared(kVoidDoubtfulBatches, grace_ms, limit)) {
      out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     row[3].as<std::int64_t>(), row[4].is_null() ? "" : row[4].as<std::string>()});
    }
    return out;
  });
}

RateData Ledger::loadRateData(const std::string& day, Deadline deadline) {
  return perform(Effect::read, deadline, [&](pqxx::connection& connection) {
    // One snapshot for all four reads, so a concurrent import is seen whole or not at all.
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only>
        txn(connection);
    RateData data;
    data.fallback_market = "Other";
    for (const auto& row : txn.exec("SELECT * FROM creditgate.markets()")) {
      data.markets.push_back(row[0].as<std::string>());
    }
    for (const auto& row : txn.exec_params(
             "SELECT prefix, market FROM creditgate.market_prefixes_at($1::date)", day)) {
      data.prefixes.push_back({row[0].as<std::string>(), row[1].as<std::string>()});
    }
    for (const auto& row :
         txn.exec_params("SELECT card_id, currency FROM creditgate.rate_cards_at($1::date)", day)) {
      data.cards.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>()});
    }
    for (const auto& row : txn.exec_params(
             "SELECT card_id, market, category, rate_micros FROM creditgate.rates_at($1::date)",
             day)) {
      RateData::Rate rate;
      rate.card_id = row[0].as<std::int64_t>();
      rate.market = row[1].as<std::string>();
      const auto category = parseCategory(row[2].c_str());
      if (!category) {
        throw LedgerError(LedgerError::Kind::rejected,
                          "unknown category in rate data: " + row[2].as<std::string>());
      }
      rate.category = *category;
      rate.micros = optionalField<std::int64_t>(row[3]);
      data.rates.push_back(std::move(rate));
    }
    txn.commit();
    return data;
  });
}

}  // namespace creditgate
