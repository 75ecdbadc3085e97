#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "child_process.hpp"

namespace creditgate::testing {
namespace {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path tempPath(const std::string& name) {
  std::string pattern = (std::filesystem::temp_directory_path() / (name + ".XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd >= 0) ::close(fd);
  return pattern;
}

// `args` as a child (a test that crashes must not leave its server running, holding its port and
// database), stdout to `out_fd` and stderr to `err_path`.
pid_t spawn(const std::vector<std::string>& args, int out_fd,
            const std::filesystem::path& err_path) {
  return spawnChild(args, [out_fd, &err_path] {
    const int err = ::open(err_path.c_str(), O_WRONLY | O_TRUNC | O_CREAT, 0600);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
  });
}

}  // namespace

ServerProcess::ServerProcess(const std::filesystem::path& config)
    : stderr_path_(tempPath("creditgate-server-stderr")) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = spawn({CREDITGATE_SERVER_PATH, "--config", config.string()}, pipe_fds[1], stderr_path_);
  ::close(pipe_fds[1]);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::string marker = "listening on ";
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char chunk[512];
    const ssize_t n = ::read(pipe_fds[0], chunk, sizeof chunk);
    if (n <= 0) break;  // the server exited
    out.append(chunk, static_cast<std::size_t>(n));
    const std::size_t at = out.find(marker);
    const std::size_t eol = at == std::string::npos ? at : out.find('\n', at);
    if (eol != std::string::npos) {
      const std::string url = out.substr(at + marker.size(), eol - at - marker.size());
      port_ = static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
      break;
    }
  }
  // The server writes nothing more to stdout; a closed read end must not kill it with SIGPIPE.
  ::close(pipe_fds[0]);
  if (port_ == 0) {
    ::kill(pid_, SIGKILL);
    waitForExit(std::chrono::seconds(10));
    throw std::runtime_error("creditgate-server did not start: " + stderrText());
  }
}

ServerProcess::~ServerProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitForExit(std::chrono::seconds(10));
  }
  std::error_code ignored;
  std::filesystem::remove(stderr_path_, ignored);
}

void ServerProcess::signal(int signal_number) {
  ::kill(pid_, signal_number);
}

int ServerProcess::waitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      return status;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string ServerProcess::stderrText() const {
  return readFile(stderr_path_);
}

ServerRun runServerCommand(const std::vector<std::string>& args) {
  std::vector<std::string> argv{CREDITGATE_SERVER_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::filesystem::path out_path = tempPath("creditgate-server-out");
  const std::filesystem::path err_path = tempPath("creditgate-server-err");
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  const pid_t pid = spawn(argv, out_fd, err_path);
  ::close(out_fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ServerRun run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, readFile(out_path),
                readFile(err_path)};
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return run;
}

}  // namespace creditgate::testing
