#include "connection_pool.hpp"

#include <poll.h>

#include <cctype>
#include <pqxx/pqxx>
#include <utility>

#include "ledger_error.hpp"

namespace creditgate {
namespace {

bool isUri(const std::string& dsn) {
  return dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
}

// libpq takes the last value of a repeated keyword, so our timeout goes last.
std::string withConnectTimeout(const std::string& dsn, int seconds) {
  const std::string value = std::to_string(seconds);
  if (isUri(dsn)) {
    return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=" + value;
  }
  return dsn + " connect_timeout=" + value;
}

// application_name travels in the startup packet, as a libpq keyword: a transaction-pooling proxy
// (pgbouncer) honours it per client, where a session SET would leak to other clients. The name is
// ours ("creditgate-plugin", "creditgate-server"): plain letters, digits and '-', but quoted and
// escaped anyway (percent-encoded in a URI).
std::string withApplicationName(const std::string& dsn, const std::string& name) {
  if (name.empty()) return dsn;
  if (isUri(dsn)) {
    std::string encoded;
    for (unsigned char c : name) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        encoded += static_cast<char>(c);
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        encoded += '%';
        encoded += kHex[c >> 4];
        encoded += kHex[c & 15];
      }
    }
    return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "application_name=" + encoded;
  }
  std::string quoted = "'";
  for (char c : name) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return dsn + " application_name=" + quoted + "'";
}

// An idle connection has nothing to say. If its socket is readable, the server has sent a goodbye
// (e.g. pg_terminate_backend's FATAL, or a restart) or closed it: using it would fail a decision
// that never reached the database. Checked on every borrow; one poll() with no wait.
bool hasGoneAway(pqxx::connection& connection) {
  if (!connection.is_open()) return true;
  const int fd = connection.sock();
  if (fd < 0) return true;
  pollfd socket{fd, POLLIN, 0};
  return ::poll(&socket, 1, 0) != 0;
}

// One line, without the DSN: libpq's messages name host and port but never the password.
std::string firstLine(const char* what) {
  std::string text(what);
  if (auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
  return text;
}

}  // namespace

std::string namedStatementHint(const std::string& sqlstate, bool prepared_statements,
                               const std::string& setting) {
  if (!prepared_statements || (sqlstate != "26000" && sqlstate != "42P05")) return "";
  return "; behind a transaction-pooling proxy such as pgbouncer, set " + setting + " to false";
}

ConnectionPool::ConnectionPool(PoolOptions options, Prepare prepare)
    : options_(std::move(options)), prepare_(std::move(prepare)) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      broken_(other.broken_) {}

ConnectionPool::Lease::~Lease() {
  if (pool_) pool_->giveBack(std::move(connection_), broken_);
}

std::unique_ptr<pqxx::connection> ConnectionPool::connect() {
  try {
    auto connection = std::make_unique<pqxx::connection>(withConnectTimeout(
        withApplicationName(options_.dsn, options_.application_name), options_.connect_timeout_s));
    pqxx::nontransaction session(*connection);
    const std::string timeout = std::to_string(options_.statement_timeout_ms);
    if (options_.prepared_statements) {
      // Every statement has a deadline: a failure mode without a timeout never triggers.
      session.exec_params(
          "SELECT set_config('statement_timeout', $1, false),"
          " set_config('lock_timeout', $1, false)",
          timeout);
    } else {
      // Behind a transaction-pooling proxy a session setting would leak to other clients' server
      // sessions and be missing on ours next time: the deadlines must come from the login role
      // (ALTER ROLE ... SET statement_timeout / lock_timeout) or the proxy's connect_query. Check
      // what this server session has, and say so when a failure mode has no timeout.
      const pqxx::row row = session.exec1(
          "SELECT current_setting('statement_timeout') = '0',"
          " current_setting('lock_timeout') = '0'");
      if (options_.warn) {
        if (row[0].as<bool>()) {
          options_.warn(
              "the ledger session has no statement_timeout (prepared statements are off, so the "
              "plugin does not set it): set it on the login role, e.g. ALTER ROLE ... SET "
              "statement_timeout = '" +
              timeout + "ms'");
        }
        if (row[1].as<bool>()) {
          options_.warn(
              "the ledger session has no lock_timeout (prepared statements are off, so the plugin "
              "does not set it): set it on the login role, e.g. ALTER ROLE ... SET lock_timeout = "
              "'" +
              timeout + "ms'");
        }
      }
    }
    session.commit();
    if (prepare_) prepare_(*connection);
    return connection;
  } catch (const pqxx::broken_connection& e) {
    const std::string line = firstLine(e.what());
    throw PoolUnavailable("cannot connect to the ledger database: " + line, false,
                          connectionFailureCause(line));
  } catch (const pqxx::sql_error& e) {
    throw PoolUnavailable(
        "cannot set up a ledger connection: " + firstLine(e.what()) +
            namedStatementHint(e.sqlstate(), options_.prepared_statements, "prepared_statements"),
        false, "cannot set up a connection");
  }
}

ConnectionPool::Lease ConnectionPool::acquire(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      if (hasGoneAway(*connection)) {
        --open_;  // dropped; the next round of the loop opens a fresh one
        lock.unlock();
        connection.reset();
        lock.lock();
        continue;
      }
      return Lease(this, std::move(connection));
    }
    if (open_ < options_.size) {
      ++open_;
      lock.unlock();  // connecting takes a round trip or more: never under the lock
      try {
        return Lease(this, connect());
      } catch (...) {
        lock.lock();
        --open_;
        available_.notify_one();
        throw;
      }
    }
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      throw PoolUnavailable("no ledger connection became free before the deadline", true,
                            "no connection became free in time");
    }
  }
}

void ConnectionPool::dropIdle() {
  std::vector<std::unique_ptr<pqxx::connection>> closing;
  {
    std::lock_guard lock(mutex_);
    closing.swap(idle_);
    open_ -= static_cast<int>(closing.size());
  }
  available_.notify_all();
  // closing is destroyed here, outside the lock.
}

ConnectionPool::Stats ConnectionPool::stats() {
  std::lock_guard lock(mutex_);
  return Stats{open_, open_ - static_cast<int>(idle_.size())};
}

void ConnectionPool::giveBack(std::unique_ptr<pqxx::connection> connection, bool broken) noexcept {
  std::unique_ptr<pqxx::connection> to_close;
  {
    std::lock_guard lock(mutex_);
    if (broken || !connection) {
      to_close = std::move(connection);
      --open_;
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  available_.notify_one();
  // to_close is destroyed here, outside the lock (closing may block on the network).
}

}  // namespace creditgate
