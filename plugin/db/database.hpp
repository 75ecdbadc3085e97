// The one way to the database, as libpqxx's own perform() is: a pooled connection, the deadline,
// the retry-once rule for idempotent calls, and the classification of every failure (unreachable,
// timeout, in doubt, rejected) into a LedgerError, written once. The ledger's domains (decisions,
// settlements, rate data, tenants, the outbox, doubts) put their named statements on top of it.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <pqxx/result>
#include <pqxx/row>
#include <pqxx/transaction_base>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "circuit_breaker.hpp"
#include "connection_pool.hpp"
#include "ledger_error.hpp"

namespace creditgate {

// Told of what happens to the database's calls: the outage log and the metrics listen here.
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

// A named statement, prepared on every connection when it opens (unless prepared statements are
// off, see Database::exec). The name is what logs call it. Each domain declares its statements as
// constants (constexpr Statement kX{"x", "SELECT ..."}) and runs them with Database::exec.
struct Statement {
  const char* name;
  const char* sql;
};

class Database {
 public:
  using Clock = ConnectionPool::Clock;
  using Deadline = Clock::time_point;
  // What losing a call's answer leaves unknown: a call that may write money is then in doubt; a
  // read is simply unavailable.
  enum class Effect { read, write };

  // `observer` (may be null) must outlive the database.
  Database(PoolOptions options, std::vector<Statement> statements,
           LedgerObserver* observer = nullptr);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `work(connection)` and returns what it returns; every failure comes out as a LedgerError.
  // A connection that broke under the call is retried once on a fresh one (every call on the
  // ledger is idempotent: decisions by batch id, settlements by recipient, the rest read or
  // re-claim); when that retry cannot answer either, a write is in_doubt.
  template <typename Work>
  auto perform(Effect effect, Deadline deadline, Work&& work) {
    using Result = std::invoke_result_t<Work&, pqxx::connection&>;
    std::optional<Result> result;
    run(effect, deadline, [&](pqxx::connection& connection) { result.emplace(work(connection)); });
    return std::move(*result);
  }

  // Runs `statement` with `args` in `txn`: the prepared statement by name when prepared statements
  // are on (PoolOptions::prepared_statements), else its SQL as an unnamed statement with the same
  // parameters (a transaction-pooling proxy such as pgbouncer 1.18 cannot keep named ones: the next
  // call may land on another server session). Either way the arguments are bound, never spliced.
  template <typename... Args>
  pqxx::result exec(pqxx::transaction_base& txn, const Statement& statement, Args&&... args) const {
    if (prepared_statements_) return txn.exec_prepared(statement.name, std::forward<Args>(args)...);
    return txn.exec_params(statement.sql, std::forward<Args>(args)...);
  }
  // As exec, for a statement that answers exactly one row.
  template <typename... Args>
  pqxx::row exec1(pqxx::transaction_base& txn, const Statement& statement, Args&&... args) const {
    if (prepared_statements_) {
      return txn.exec_prepared1(statement.name, std::forward<Args>(args)...);
    }
    return txn.exec_params1(statement.sql, std::forward<Args>(args)...);
  }
  bool preparedStatements() const noexcept { return prepared_statements_; }

  // False while the circuit is open or half-open: calls are refused at once after ledger errors
  // (but for one probe at a time once the open period ends). For a host's readiness probe.
  bool circuitClosed() { return breaker_.state() == CircuitBreaker::State::closed; }

  int poolSize() const noexcept { return pool_.size(); }
  ConnectionPool::Stats poolStats() { return pool_.stats(); }

 private:
  void run(Effect effect, Deadline deadline, const std::function<void(pqxx::connection&)>& work);
  LedgerError failed(LedgerError error);  // counts it, opens the circuit when due
  void succeeded();

  bool prepared_statements_;
  ConnectionPool pool_;
  CircuitBreaker breaker_;
  LedgerObserver* observer_;
  std::mutex cause_mutex_;
  std::string last_cause_;  // of the last failure: what a call the open circuit refuses says
};

}  // namespace creditgate
