#include "creditctl_runner.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace creditgate::testing {
namespace {

// Single-quotes `text` for /bin/sh.
std::string shellQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

CtlResult runCreditctl(const std::vector<std::string>& args,
                       const std::optional<std::string>& env_dsn) {
  char err_path[] = "/tmp/creditctl_run_XXXXXX";
  const int err_fd = ::mkstemp(err_path);
  EXPECT_GE(err_fd, 0);
  std::string command = env_dsn ? "CREDITGATE_ADMIN_DSN=" + shellQuoted(*env_dsn) + " "
                                : std::string("unset CREDITGATE_ADMIN_DSN; ");
  command += "exec " + shellQuoted(CREDITCTL_PATH);
  for (const std::string& arg : args) command += " " + shellQuoted(arg);
  command += " 2>" + shellQuoted(err_path);

  CtlResult run;
  FILE* pipe = ::popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe != nullptr) {
    std::array<char, 4096> buffer{};
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
      run.out.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::ostringstream err;
  err << std::ifstream(err_path).rdbuf();
  run.err = err.str();
  if (err_fd >= 0) ::close(err_fd);
  std::remove(err_path);
  return run;
}

}  // namespace creditgate::testing
