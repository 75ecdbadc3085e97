// Test support: the real sample_gateway binary as an operator runs it, a child process whose stdout
// and stderr are captured apart while it runs, so a test can wait for a line, signal it, and read
// what it printed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace creditgate::testing {

class GatewayProcess {
 public:
  // Starts `program` with `args` (each one word, no shell).
  GatewayProcess(const std::string& program, const std::vector<std::string>& args);
  ~GatewayProcess();  // a child still running is killed (SIGKILL): a failed test leaves nothing
                      // behind
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  // True once stdout holds a line containing `needle`; false after `timeout` or when the child
  // closed its stdout without printing it.
  bool waitForOutput(std::string_view needle, std::chrono::milliseconds timeout);
  void signal(int signo);
  // The exit status (0..255), 128 + N when killed by signal N, or -1 when it was still running
  // after `timeout` (it is then killed).
  int wait(std::chrono::milliseconds timeout);

  std::string out() const;  // stdout so far
  std::string err() const;  // stderr so far

 private:
  void readInto(int fd, std::string& text, bool& closed);

  pid_t pid_ = -1;
  int exit_status_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string out_, err_;
  bool out_closed_ = false, err_closed_ = false;
  std::thread out_reader_, err_reader_;
};

struct GatewayRun {
  int exit_status = -1;
  std::string out, err;
};

// Runs `program` to its end (killed after `timeout`).
GatewayRun runGateway(const std::string& program, const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace creditgate::testing
