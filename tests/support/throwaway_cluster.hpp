// Test support: a PostgreSQL 15 cluster of the test's own, for tests that stop and start the server
// (crash recovery). Durable settings (fsync, synchronous_commit, full_page_writes on), so an
// immediate stop is a real crash. Trust authentication on loopback only: disposable, never reused.
//
// The cluster is stopped and its files removed when the object is destroyed, and also when the test
// process dies without running destructors (a crash, SIGKILL from a ctest timeout): a small watchdog
// process holds a pipe to this one and cleans up when it closes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace creditgate::testing {

class ThrowawayCluster {
 public:
  // trust: no password asked on loopback. passwords: only the superuser "postgres" is trusted;
  // every other login must give its password (scram-sha-256), so a wrong one is refused.
  enum class Authentication { trust, passwords };

  // Runs initdb and starts the server on a free loopback port; throws std::runtime_error (with the
  // server log) on failure. Needs the PostgreSQL 15 binaries (CREDITGATE_PG_BIN or
  // /usr/lib/postgresql/15/bin); as root, the server runs as the "postgres" OS user.
  explicit ThrowawayCluster(Authentication authentication = Authentication::trust);
  ~ThrowawayCluster();
  ThrowawayCluster(const ThrowawayCluster&) = delete;
  ThrowawayCluster& operator=(const ThrowawayCluster&) = delete;

  int port() const { return port_; }
  // host=127.0.0.1 port=P user=postgres dbname=postgres
  std::string superuserDsn() const;

  // pg_ctl stop -m immediate: every backend is killed, nothing is flushed (crash recovery follows).
  void crash();
  // SIGKILL of the postmaster itself; returns once its backends have noticed and exited (they do
  // within a second), so that start() can run crash recovery.
  void killPostmaster();
  // pg_ctl start -w (crash recovery runs first); throws when the server does not come up.
  void start();
  bool running() const { return running_; }

  // The tail of the server log, for failure messages.
  std::string logTail(std::size_t max_chars = 4000) const;

  static bool binariesAvailable();

 private:
  // Runs a PostgreSQL binary (as postgres when root) and waits; its exit status. Output goes to
  // `output_file` (appended).
  int runPg(const std::vector<std::string>& args, const std::filesystem::path& output_file) const;
  bool tryStart();
  void initAndStart(Authentication authentication);
  void cleanup() noexcept;  // stop (immediate) and remove everything; idempotent

  std::filesystem::path dir_;
  std::filesystem::path data_;
  std::filesystem::path log_;
  int port_ = 0;
  bool running_ = false;
  int watchdog_fd_ = -1;  // write end of the watchdog's pipe
  pid_t watchdog_pid_ = -1;
};

}  // namespace creditgate::testing
