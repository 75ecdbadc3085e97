// A small pool of PostgreSQL connections (libpqxx has none). Connections are opened lazily up to
// the configured size; a connection that broke is discarded, never reused (libpqxx 6.4's automatic
// reactivation is unreliable), and a new one is opened on the next demand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>  // pqxx::connection is a typedef: it cannot be forward-declared
#include <stdexcept>
#include <string>
#include <vector>

namespace creditgate {

struct PoolOptions {
  std::string dsn;  // secret: never logged
  int size = 4;
  int statement_timeout_ms = 2000;
  int connect_timeout_s = 3;
  // What pg_stat_activity shows for the pool's connections (the API key store's pool is not the
  // plugin's).
  std::string application_name = "creditgate-plugin";
  // False behind a transaction-pooling proxy (pgbouncer pool_mode=transaction): nothing is prepared
  // and no session setting is made at connect (it would leak to other clients' server sessions and
  // be missing on the next one); the login role must carry statement_timeout and lock_timeout.
  bool prepared_statements = true;
  // Told, once per new connection, of what the connect-time check found wrong (e.g. no
  // statement_timeout on the server session). May be empty. Never given the DSN.
  std::function<void(const std::string&)> warn = nullptr;
};

// No connection could be had before the deadline, or connecting failed. what() never contains the
// DSN; cause() is short and safe to show a host ("authentication failed", "connection refused").
class PoolUnavailable : public std::runtime_error {
 public:
  PoolUnavailable(const std::string& what, bool timed_out, std::string cause)
      : std::runtime_error(what), timed_out_(timed_out), cause_(std::move(cause)) {}
  bool timedOut() const noexcept { return timed_out_; }
  const std::string& cause() const noexcept { return cause_; }

 private:
  bool timed_out_;
  std::string cause_;
};

// For an error of SQLSTATE `sqlstate`: when it is 26000 (prepared statement does not exist) or
// 42P05 (already exists) while prepared statements are on, the usual cause, said as "; behind a
// transaction-pooling proxy such as pgbouncer, set <setting> to false" (appended to a message);
// otherwise empty.
std::string namedStatementHint(const std::string& sqlstate, bool prepared_statements,
                               const std::string& setting);

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs once on every new connection (prepared statements).
  using Prepare = std::function<void(pqxx::connection&)>;

  ConnectionPool(PoolOptions options, Prepare prepare);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Exclusive use of one connection until destroyed; call discard() when it broke.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    ~Lease();
    pqxx::connection& connection() { return *connection_; }
    void discard() noexcept { broken_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection);
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool broken_ = false;
  };

  // Throws PoolUnavailable when no connection can be had before `deadline`.
  Lease acquire(Clock::time_point deadline);

  int size() const noexcept { return options_.size; }
  struct Stats {
    int open = 0;
    int in_use = 0;
  };
  Stats stats();
  // Closes every idle connection: after one broke (a restart, killed backends) the others opened
  // before it most likely did too, and may not show it yet.
  void dropIdle();

 private:
  std::unique_ptr<pqxx::connection> connect();
  void giveBack(std::unique_ptr<pqxx::connection> connection, bool broken) noexcept;

  PoolOptions options_;
  Prepare prepare_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // idle + leased + being opened
};

}  // namespace creditgate
