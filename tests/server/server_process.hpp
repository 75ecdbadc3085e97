// Test support: the real creditgate-server binary as a child process, started on a free port and
// stopped with a signal, with its stderr kept for the failure message.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace creditgate::testing {

class ServerProcess {
 public:
  // Starts CREDITGATE_SERVER_PATH --config `config` and waits (30 s at most) for its "listening
  // on" line; throws with the server's stderr when it exits or stays silent.
  explicit ServerProcess(const std::filesystem::path& config);
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }

  void signal(int signal_number);
  // Waits for the exit; its status as waitpid reports it, or -1 when still running at `timeout`.
  int waitForExit(std::chrono::milliseconds timeout);
  std::string stderrText() const;

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  bool exited_ = false;
  std::filesystem::path stderr_path_;
};

// Runs creditgate-server with `args` to its end (e.g. --check-config); exit code and both outputs.
struct ServerRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};
ServerRun runServerCommand(const std::vector<std::string>& args);

}  // namespace creditgate::testing
