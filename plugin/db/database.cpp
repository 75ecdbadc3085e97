#include "database.hpp"

#include <pqxx/pqxx>

namespace creditgate {
namespace {

std::string firstLine(const char* what) {
  std::string text(what);
  if (auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
  return text;
}

// SQLSTATEs that mean the session is gone: class 08 (connection exception) and the server
// terminating backends (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now).
bool sessionLost(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

}  // namespace

// Every statement is prepared on the server when the connection is made, not at its first use
// (libpqxx's default): a call then sends exactly its own request, so a lost answer means the
// request itself reached the server (in doubt), never a PREPARE that did. With prepared statements
// off nothing is prepared: exec sends each statement unnamed. Three failures in a row open the
// circuit for 0.25 s, doubling per failed probe up to 1 s.
Database::Database(PoolOptions options, std::vector<Statement> statements, LedgerObserver* observer)
    : prepared_statements_(options.prepared_statements),
      pool_(std::move(options), prepared_statements_
                                    ? ConnectionPool::Prepare([statements = std::move(statements)](
                                                                  pqxx::connection& connection) {
                                        for (const Statement& statement : statements) {
                                          connection.prepare(statement.name, statement.sql);
                                          connection.prepare_now(statement.name);
                                        }
                                      })
                                    : ConnectionPool::Prepare()),
      breaker_(3, std::chrono::milliseconds(250), std::chrono::seconds(1)),
      observer_(observer) {}

// A failure that says "the database is in trouble": counted, and towards opening the circuit.
LedgerError Database::failed(LedgerError error) {
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
void Database::succeeded() {
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
void Database::run(Effect effect, Deadline deadline,
                   const std::function<void(pqxx::connection&)>& work) {
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
    // This connection cannot serve the call: retry once on a fresh one, if time allows. Returns
    // only when the retry may go ahead. `request_landed`: the request may have reached the server
    // (a connection that broke with it in flight), so a write whose retry fails is in doubt.
    auto retryOnFreshConnection = [&](const std::string& cause, const std::string& line,
                                      bool request_landed) {
      lease->discard();
      if (request_landed) sent_and_lost = cause;
      if (attempt > 1 || ConnectionPool::Clock::now() >= deadline) {
        throw failed(settle(LedgerError(LedgerError::Kind::unavailable, cause, line)));
      }
      pool_.dropIdle();  // the retry gets a fresh connection, not a sibling of the broken one
    };
    try {
      work(lease->connection());
      succeeded();
      return;
    } catch (const LedgerError&) {
      succeeded();  // the database answered; the answer was wrong (e.g. an unknown reason code)
      throw;
    } catch (const pqxx::in_doubt_error& e) {
      lease->discard();
      throw failed(
          LedgerError(LedgerError::Kind::in_doubt, "the answer was lost during commit",
                      "the ledger connection broke during commit: " + firstLine(e.what())));
    } catch (const pqxx::broken_connection& e) {
      retryOnFreshConnection("the connection broke",
                             "the ledger connection broke: " + firstLine(e.what()), true);
      continue;
    } catch (const pqxx::sql_error& e) {
      const std::string line = firstLine(e.what());
      if (sessionLost(e.sqlstate())) {
        retryOnFreshConnection("the server ended the session",
                               "the ledger ended the session: " + line, true);
        continue;
      }
      // 25006 read_only_sql_transaction: this session is on a server that is no longer the
      // primary (a failover demoted it without ending our session). Nothing was written, so this
      // is no doubt: a fresh connection, which a multi-host DSN with
      // target_session_attrs=read-write opens on the new primary.
      if (e.sqlstate() == "25006") {
        retryOnFreshConnection("the server is read-only (not the primary)",
                               "the ledger server is read-only: " + line, false);
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
                              "the ledger refused the call: " + line +
                                  namedStatementHint(e.sqlstate(), prepared_statements_,
                                                     "database.prepared_statements"));
      if (observer_) observer_->ledgerCallFailed(error);
      throw error;
    } catch (const pqxx::failure& e) {
      retryOnFreshConnection("the connection failed", "ledger failure: " + firstLine(e.what()),
                             true);
      continue;
    } catch (...) {
      succeeded();  // not the database's fault (e.g. a conversion): never leave a half-open probe
      throw;        // marked as running forever
    }
  }
}

}  // namespace creditgate
