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

void prepareStatements(pqxx::connection& connection) {
  connection.prepare(kDecideBatch,
                     "SELECT * FROM creditgate.decide_batch($1, $2, $3, $4, $5, $6::text[],"
                     " $7::bigint[], $8, $9, $10, $11, $12, $13, $14)");
  connection.prepare(kDecideBatches,
                     "SELECT ordinal, decision, reason, charged_micros, balance_after_micros,"
                     " recipients_allowed, replayed, currency, error"
                     " FROM creditgate.decide_batches($1::jsonb)");
  connection.prepare(kQuoteBatch,
                     "SELECT * FROM creditgate.quote_batch($1, $2, $3, $4, $5, $6::text[],"
                     " $7::bigint[], $8, $9, $10)");
  connection.prepare(kSettleOutcomes,
                     "SELECT * FROM creditgate.settle_outcomes($1, $2, $3::text[], $4::boolean[])");
  connection.prepare(kTenantProfile,
                     "SELECT currency, auth_international_eligible, home_market"
                     " FROM creditgate.tenant_profile($1)");
  connection.prepare(kRateDataVersion, "SELECT creditgate.rate_data_version()");
  connection.prepare(kClaimEvents,
                     "SELECT event_id, tenant_id, type, payload::text, contacts, attempts"
                     " FROM creditgate.claim_events($1, $2, $3)");
  connection.prepare(kLedgerWatch,
                     "SELECT outbox_pending, tenant_id, currency, topup_micros::bigint,"
                     " last_entry_id, balance_micros FROM creditgate.ledger_watch($1)");
  connection.prepare(kMarkEventSent, "SELECT creditgate.mark_event_sent($1, $2)");
  connection.prepare(kMarkEventFailed, "SELECT creditgate.mark_event_failed($1, $2, $3, $4)");
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

const char* ledgerErrorKindName(LedgerError::Kind kind) noexcept {
  switch (kind) {
    case LedgerError::Kind::unavailable: return "unavailable";
    case LedgerError::Kind::timeout: return "timeout";
    case LedgerError::Kind::in_doubt: return "in_doubt";
    case LedgerError::Kind::rejected: return "rejected";
  }
  return "rejected";
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
  for (std::uint16_t code = 0; code <= static_cast<std::uint16_t>(api::kLastReason);
       ++code) {
    const auto reason = static_cast<api::Reason>(code);
    if (text == api::reasonCode(reason)) return reason;
  }
  throw LedgerError(LedgerError::Kind::rejected,
                    "unknown reason from the ledger: " + std::string(text));
}

// Three failures in a row open the circuit for 0.5 s, doubling per failed probe up to 30 s.
Ledger::Ledger(PoolOptions options)
    : pool_(std::move(options), prepareStatements),
      breaker_(3, std::chrono::milliseconds(500), std::chrono::seconds(30)) {}

// Runs `work` on a pooled connection and maps every failure to a LedgerError. Never retries: a
// decision is only safe to retry with the same batch_id, which is the gateway's call to make.
template <typename Work>
auto Ledger::run(Deadline deadline, Work&& work) {
  if (!breaker_.allowCall()) {
    throw LedgerError(LedgerError::Kind::unavailable,
                      "the ledger is failing: circuit open, not waiting for it");
  }
  // What says "the database is in trouble" (and so counts towards opening the circuit): it cannot
  // be reached, or does not answer in time. A connection that broke in use is not counted by
  // itself (a killed backend, a restart): the next connect attempt tells whether it is down.
  auto failed = [this](LedgerError::Kind kind, const std::string& what) -> LedgerError {
    breaker_.recordFailure();
    return LedgerError(kind, what);
  };
  // A connection that broke under us (a killed backend, a restart) is retried once on a fresh
  // one. Safe for every call here: decisions and settlements are idempotent by batch id and
  // recipient, the rest only read or re-claim. This is not a retry policy for a database that is
  // down: the fresh connection then fails to connect, and that error stands.
  for (int attempt = 1;; ++attempt) {
    std::optional<ConnectionPool::Lease> lease;
    try {
      lease.emplace(pool_.acquire(deadline));
    } catch (const PoolUnavailable& e) {
      throw failed(e.timedOut() ? LedgerError::Kind::timeout : LedgerError::Kind::unavailable,
                   e.what());
    } catch (...) {
      breaker_.recordFailure();  // e.g. a connection that failed in an unforeseen way
      throw;
    }
    try {
      auto result = work(lease->connection());
      breaker_.recordSuccess();
      return result;
    } catch (const LedgerError&) {
      breaker_.recordSuccess();  // the database answered; the answer was wrong
      throw;
    } catch (const pqxx::in_doubt_error& e) {
      lease->discard();
      throw LedgerError(LedgerError::Kind::in_doubt,
                        "the ledger connection broke during commit: " + firstLine(e.what()));
    } catch (const pqxx::broken_connection& e) {
      lease->discard();
      if (attempt == 1 && ConnectionPool::Clock::now() < deadline) {
        pool_.dropIdle();  // the retry gets a fresh connection, not a sibling of the broken one
        continue;
      }
      throw LedgerError(LedgerError::Kind::unavailable,
                        "the ledger connection broke: " + firstLine(e.what()));
    } catch (const pqxx::sql_error& e) {
      // 57014 query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout).
      if (e.sqlstate() == "57014") {
        throw failed(LedgerError::Kind::timeout,
                     "the ledger did not answer before the deadline: " + firstLine(e.what()));
      }
      breaker_.recordSuccess();  // a contended row or a refused call: the database itself is fine
      if (e.sqlstate() == "55P03") {
        throw LedgerError(LedgerError::Kind::timeout,
                          "a tenant row stayed locked past the deadline: " + firstLine(e.what()));
      }
      // A statement that failed mid-way may leave the session in a state we do not want to reuse.
      lease->discard();
      throw LedgerError(LedgerError::Kind::rejected,
                        "the ledger refused the call: " + firstLine(e.what()));
    } catch (const pqxx::failure& e) {
      lease->discard();
      throw LedgerError(LedgerError::Kind::unavailable, "ledger failure: " + firstLine(e.what()));
    } catch (...) {
      breaker_.recordSuccess();  // not the database's fault (e.g. a conversion): never leave a
      throw;                     // half-open probe marked as running forever
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
  return run(deadline, [&](pqxx::connection& connection) {
    // One autocommit statement: the function's work is one transaction and one round trip.
    pqxx::nontransaction txn(connection);
    pqxx::row row = txn.exec_prepared1(kDecideBatch, text(r.tenant_id), text(r.batch_id),
                                       text(r.campaign_id), text(r.template_name), text(r.category),
                                       recipients, prices, text(r.currency), text(r.policy),
                                       r.overdraft_limit_micros, r.rate_card_id, bindable(warning),
                                       bindable(critical), r.notify_interval_ms);
    return decisionFrom(row);
  });
}

std::vector<Ledger::FlushedDecision> Ledger::decideMany(const std::string& batches_json,
                                                        std::size_t count, Deadline deadline) {
  return run(deadline, [&](pqxx::connection& connection) {
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
  return json::serialize(o);
}

LedgerQuote Ledger::quote(const DecisionRequest& r, Deadline deadline) {
  const std::string recipients = pgTextArray(r.recipients);
  const std::string prices = pgBigintArray(r.unit_prices_micros);
  return run(deadline, [&](pqxx::connection& connection) {
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
  return run(deadline, [&](pqxx::connection& connection) {
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
  return run(deadline, [&](pqxx::connection& connection) -> std::optional<TenantProfile> {
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
  return run(deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kRateDataVersion)[0].as<std::int64_t>();
  });
}

std::vector<ClaimedEvent> Ledger::claimEvents(const std::string& relay, int limit, int lease_ms,
                                              Deadline deadline) {
  return run(deadline, [&](pqxx::connection& connection) {
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
  return run(deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kMarkEventSent, relay, event_id)[0].as<bool>();
  });
}

bool Ledger::markEventFailed(const std::string& relay, std::int64_t event_id,
                             const std::string& error, int retry_after_ms, Deadline deadline) {
  return run(deadline, [&](pqxx::connection& connection) {
    pqxx::nontransaction txn(connection);
    return txn.exec_prepared1(kMarkEventFailed, relay, event_id, error, retry_after_ms)[0]
        .as<bool>();
  });
}

Ledger::Watch Ledger::watch(std::int64_t after_entry_id, Deadline deadline) {
  return run(deadline, [&](pqxx::connection& connection) {
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

RateData Ledger::loadRateData(const std::string& day, Deadline deadline) {
  return run(deadline, [&](pqxx::connection& connection) {
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
