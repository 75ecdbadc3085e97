#include "throwaway_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <chrono>
#include <thread>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace creditgate::testing {
namespace {

std::filesystem::path pgBin() {
  const char* bin = std::getenv("CREDITGATE_PG_BIN");
  return (bin != nullptr && *bin != '\0') ? std::filesystem::path(bin)
                                          : std::filesystem::path("/usr/lib/postgresql/15/bin");
}

bool asRoot() { return ::geteuid() == 0; }

// A port the kernel just handed out on 127.0.0.1 (free at this moment; start() retries on a race).
int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// posix_spawn `argv` with stdin from /dev/null, stdout+stderr appended to `output`, cwd "/" (an
// untraversable cwd makes runuser and the PostgreSQL tools complain); its exit status (-1: signal
// or spawn failure).
int spawnAndWait(const std::vector<std::string>& argv, const std::filesystem::path& output) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, "/");
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool ThrowawayCluster::binariesAvailable() {
  return ::access((pgBin() / "initdb").c_str(), X_OK) == 0 &&
         ::access((pgBin() / "pg_ctl").c_str(), X_OK) == 0;
}

int ThrowawayCluster::runPg(const std::vector<std::string>& args,
                            const std::filesystem::path& output_file) const {
  std::vector<std::string> argv;
  if (asRoot()) argv = {"runuser", "-u", "postgres", "--"};  // initdb refuses root
  argv.push_back((pgBin() / args.at(0)).string());
  argv.insert(argv.end(), args.begin() + 1, args.end());
  return spawnAndWait(argv, output_file);
}

ThrowawayCluster::ThrowawayCluster(Authentication authentication) {
  if (!binariesAvailable()) {
    throw std::runtime_error("PostgreSQL 15 binaries not found in " + pgBin().string() +
                             " (install postgresql-15 or set CREDITGATE_PG_BIN)");
  }
  // Under /tmp, not TMPDIR: every parent must be traversable by the postgres user.
  char templ[] = "/tmp/creditgate-crash-pg.XXXXXX";
  if (::mkdtemp(templ) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = templ;
  data_ = dir_ / "data";
  log_ = dir_ / "server.log";
  ::chmod(dir_.c_str(), 0755);

  // The watchdog: cleans up if this process dies without running the destructor. It reads its
  // stdin (our pipe) until EOF, which comes when this process exits however it exits. Its own
  // session, so a signal to our process group (ctest's timeout) does not take it along.
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    std::filesystem::remove_all(dir_);
    throw std::runtime_error("pipe2 failed");
  }
  {
    const std::string script =
        "cat >/dev/null; "
        "if [ -f \"$1/data/postmaster.pid\" ]; then "
        "  if [ \"$(id -u)\" = 0 ]; then runuser -u postgres -- \"$2/pg_ctl\" -D \"$1/data\" stop "
        "-m immediate -w -t 30; else \"$2/pg_ctl\" -D \"$1/data\" stop -m immediate -w -t 30; fi; "
        "fi >/dev/null 2>&1; rm -rf -- \"$1\"";
    const std::string bin = pgBin().string();
    const std::string dir = dir_.string();
    std::vector<char*> args = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                               const_cast<char*>(script.c_str()), const_cast<char*>("sh"),
                               const_cast<char*>(dir.c_str()), const_cast<char*>(bin.c_str()),
                               nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addchdir_np(&actions, "/");
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    const int rc = ::posix_spawn(&watchdog_pid_, "/bin/sh", &actions, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[0]);
    if (rc != 0) {
      ::close(pipe_fds[1]);
      std::filesystem::remove_all(dir_);
      throw std::runtime_error("cannot start the cleanup watchdog");
    }
    watchdog_fd_ = pipe_fds[1];
  }

  try {
    initAndStart(authentication);
  } catch (...) {
    cleanup();
    throw;
  }
}

void ThrowawayCluster::initAndStart(Authentication authentication) {
  if (asRoot()) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("no postgres OS user to own " + dir_.string());
    }
  }
  const auto initdb_log = dir_ / "initdb.log";
  if (runPg({"initdb", "-D", data_.string(), "--auth=trust", "--username=postgres", "-E", "UTF8",
             "--locale=C"},
            initdb_log) != 0) {
    throw std::runtime_error("initdb failed:\n" + readFile(initdb_log));
  }
  {
    std::ofstream conf(data_ / "postgresql.conf", std::ios::app);
    conf << "\n# --- creditgate crash test cluster: durable, so an immediate stop is a real crash\n"
         << "listen_addresses = '127.0.0.1'\n"
         << "unix_socket_directories = '" << data_.string() << "'\n"
         << "max_connections = 100\n"
         << "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"
         // Crash recovery syncs the data directory first: one syncfs() instead of an fsync per file.
         << "recovery_init_sync_method = syncfs\n";
  }
  if (authentication == Authentication::passwords) {
    std::ofstream hba(data_ / "pg_hba.conf", std::ios::trunc);
    hba << "local all postgres trust\n"
        << "host all postgres 127.0.0.1/32 trust\n"
        << "host all all 127.0.0.1/32 scram-sha-256\n";
  }
  for (int attempt = 0; attempt < 10; ++attempt) {
    port_ = freeLoopbackPort();
    {
      std::ofstream conf(data_ / "postgresql.conf", std::ios::app);
      conf << "port = " << port_ << "\n";  // the last setting in the file wins
    }
    if (tryStart()) return;
    const std::string log = readFile(log_);
    if (log.find("could not bind") == std::string::npos &&
        log.find("could not create any TCP/IP sockets") == std::string::npos) {
      break;
    }
  }
  throw std::runtime_error("PostgreSQL did not start:\n" + logTail());
}

ThrowawayCluster::~ThrowawayCluster() { cleanup(); }

void ThrowawayCluster::cleanup() noexcept {
  std::error_code ignored;
  try {
    if (running_ || std::filesystem::exists(data_ / "postmaster.pid", ignored)) {
      runPg({"pg_ctl", "-D", data_.string(), "stop", "-m", "immediate", "-w", "-t", "30"},
            dir_ / "pg_ctl.log");
    }
  } catch (...) {
    // The watchdog still stops it when this process ends.
  }
  std::filesystem::remove_all(dir_, ignored);
  running_ = false;
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);  // the watchdog finds nothing left and exits
  watchdog_fd_ = -1;
  if (watchdog_pid_ > 0) {
    int status = 0;
    ::waitpid(watchdog_pid_, &status, 0);
  }
  watchdog_pid_ = -1;
}

std::string ThrowawayCluster::superuserDsn() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

bool ThrowawayCluster::tryStart() {
  running_ = runPg({"pg_ctl", "-D", data_.string(), "-l", log_.string(), "-w", "-t", "60",
                    "start"},
                   dir_ / "pg_ctl.log") == 0;
  return running_;
}

void ThrowawayCluster::crash() {
  const int rc =
      runPg({"pg_ctl", "-D", data_.string(), "stop", "-m", "immediate", "-w", "-t", "30"},
            dir_ / "pg_ctl.log");
  if (rc != 0) throw std::runtime_error("pg_ctl stop -m immediate failed:\n" + logTail());
  running_ = false;
}

void ThrowawayCluster::killPostmaster() {
  std::ifstream pid_file(data_ / "postmaster.pid");
  pid_t postmaster = 0;
  if (!(pid_file >> postmaster) || postmaster <= 0) {
    throw std::runtime_error("no postmaster.pid to kill:\n" + logTail());
  }
  // Its children, found before it dies (then they are re-parented and cannot be told apart).
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t parent = 0;
    if (rest >> state >> parent && parent == postmaster) children.push_back(std::stoi(name));
  }
  if (::kill(postmaster, SIGKILL) != 0) throw std::runtime_error("cannot SIGKILL the postmaster");
  running_ = false;
  // Gone, or a zombie nobody reaped yet (that holds no shared memory).
  auto alive = [](pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
  };
  for (int waited_ms = 0; waited_ms < 30'000; waited_ms += 20) {
    bool any = alive(postmaster);
    for (const pid_t child : children) any = any || alive(child);
    if (!any) {
      // The lock files name a dead postmaster; where nobody reaps it, it stays a zombie, which
      // PostgreSQL's own stale-lock check would take for a running server.
      std::filesystem::remove(data_ / "postmaster.pid");
      for (const auto& entry : std::filesystem::directory_iterator(data_)) {
        if (entry.path().filename().string().rfind(".s.PGSQL.", 0) == 0) {
          std::filesystem::remove(entry.path());  // the socket and its lock file
        }
      }
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the postmaster's backends did not exit after its SIGKILL");
}

void ThrowawayCluster::start() {
  if (!tryStart()) throw std::runtime_error("PostgreSQL did not restart:\n" + logTail());
}

std::string ThrowawayCluster::logTail(std::size_t max_chars) const {
  const std::string log = readFile(log_);
  return log.size() <= max_chars ? log : log.substr(log.size() - max_chars);
}

}  // namespace creditgate::testing
