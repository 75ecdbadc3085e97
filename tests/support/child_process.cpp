#include "child_process.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace creditgate::testing {

pid_t spawnChild(const std::vector<std::string>& args, const std::function<void()>& redirect) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    redirect();
    ::execvp(argv[0], argv.data());
    for (const char* part : {"cannot run ", static_cast<const char*>(argv[0]), "\n"}) {
      [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, part, std::strlen(part));
    }
    std::_Exit(127);
  }
  return pid;
}

}  // namespace creditgate::testing
