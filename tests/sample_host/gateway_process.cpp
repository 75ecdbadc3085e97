#include "gateway_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace creditgate::testing {

GatewayProcess::GatewayProcess(const std::string& program, const std::vector<std::string>& args) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  // Built before fork: the child may only call async-signal-safe functions until exec.
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  out_reader_ = std::thread([this, fd = out_pipe[0]] { readInto(fd, out_, out_closed_); });
  err_reader_ = std::thread([this, fd = err_pipe[0]] { readInto(fd, err_, err_closed_); });
}

GatewayProcess::~GatewayProcess() {
  if (exit_status_ == -1 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

void GatewayProcess::readInto(int fd, std::string& text, bool& closed) {
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mutex_);
    if (n <= 0) {
      closed = true;
      changed_.notify_all();
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
}

bool GatewayProcess::waitForOutput(std::string_view needle, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    return out_.find(needle) != std::string::npos || out_closed_;
  }) && out_.find(needle) != std::string::npos;
}

void GatewayProcess::signal(int signo) {
  if (exit_status_ == -1) ::kill(pid_, signo);
}

int GatewayProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_status_ != -1) return exit_status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      exit_status_ = -2;  // reaped; -1 is reported below
      if (out_reader_.joinable()) out_reader_.join();
      if (err_reader_.joinable()) err_reader_.join();
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // The pipes close when the child is gone: all it printed is read once the readers end.
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
  return exit_status_;
}

std::string GatewayProcess::out() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string GatewayProcess::err() const {
  std::lock_guard lock(mutex_);
  return err_;
}

GatewayRun runGateway(const std::string& program, const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout) {
  GatewayProcess process(program, args);
  GatewayRun run;
  run.exit_status = process.wait(timeout);
  run.out = process.out();
  run.err = process.err();
  return run;
}

}  // namespace creditgate::testing
