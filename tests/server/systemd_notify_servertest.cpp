// creditgate-server under systemd (Type=notify, packaging/systemd/): what systemd hears on
// NOTIFY_SOCKET, received here on a datagram socket of the test's own, as systemd would. READY=1
// once it listens, RELOADING=1 then READY=1 with the generation in force around a SIGHUP,
// STOPPING=1 at SIGTERM; every message from the main process (NotifyAccess=main drops the others)
// and no secret in any of them.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "fake_host.hpp"
#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

struct Notification {
  std::string text;  // "READY=1\nSTATUS=..."
  pid_t sender = -1;

  bool has(const std::string& assignment) const {
    return ("\n" + text + "\n").find("\n" + assignment + "\n") != std::string::npos;
  }
  std::string status() const {
    const std::size_t at = ("\n" + text).find("\nSTATUS=");
    if (at == std::string::npos) return "";
    const std::size_t end = text.find('\n', at);
    return text.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
  }
};

// systemd's side of NOTIFY_SOCKET: a bound datagram socket that learns each sender's pid.
class NotifySocket {
 public:
  NotifySocket() {
    path_ = std::filesystem::temp_directory_path() /
            ("creditgate-notify-" + std::to_string(::getpid()) + ".sock");
    std::filesystem::remove(path_);
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot bind " + path_.string());
    }
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  }
  ~NotifySocket() {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }

  std::optional<Notification> next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buffer[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    iovec io{buffer, sizeof buffer};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_, &message, 0);
    if (n < 0) return std::nullopt;
    Notification received{std::string(buffer, static_cast<std::size_t>(n)), -1};
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred credentials{};
        std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
        received.sender = credentials.pid;
      }
    }
    return received;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

class SystemdNotifyTest : public ServerTest {
 protected:
  // The server inherits NOTIFY_SOCKET as systemd would set it; the test process keeps it no longer.
  void startNotifyingServer() {
    ::setenv("NOTIFY_SOCKET", socket_.path().c_str(), 1);
    try {
      startServer(R"({"on_insufficient_credit": "block"})");
    } catch (...) {
      ::unsetenv("NOTIFY_SOCKET");
      throw;
    }
    ::unsetenv("NOTIFY_SOCKET");
  }

  // The next message, which must come from the server's own process and hold no secret.
  Notification expectNext(const std::string& waiting_for) {
    auto received = socket_.next(std::chrono::seconds(15));
    if (!received) {
      ADD_FAILURE() << "no notification within 15 s, waiting for " << waiting_for
                    << "\nserver stderr:\n"
                    << server_->stderrText();
      return {};
    }
    EXPECT_EQ(received->sender, server_->pid()) << received->text;
    EXPECT_EQ(received->text.find(db_.pluginDsn()), std::string::npos) << received->text;
    EXPECT_EQ(received->text.find(db_.serverDsn()), std::string::npos) << received->text;
    EXPECT_EQ(received->text.find("dbname="), std::string::npos) << received->text;
    return *received;
  }

  NotifySocket socket_;
};

TEST_F(SystemdNotifyTest, ReadyWhenListeningReloadingAndReadyAroundSighupStoppingAtSigterm) {
  startNotifyingServer();  // returns once the server printed its "listening on" line

  const Notification ready = expectNext("READY=1");
  EXPECT_TRUE(ready.has("READY=1")) << ready.text;
  const std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  EXPECT_EQ(ready.status(), "serving on " + url) << ready.text;
  // Ready means answering: systemd starts the units ordered after this one now.
  EXPECT_EQ(get("/healthz", "").status, 200);

  server_->signal(SIGHUP);
  const Notification reloading = expectNext("RELOADING=1");
  EXPECT_TRUE(reloading.has("RELOADING=1")) << reloading.text;
  EXPECT_FALSE(reloading.has("READY=1")) << reloading.text;
  EXPECT_NE(reloading.text.find("\nMONOTONIC_USEC="), std::string::npos) << reloading.text;
  const Notification reloaded = expectNext("READY=1 after the reload");
  EXPECT_TRUE(reloaded.has("READY=1")) << reloaded.text;
  EXPECT_EQ(reloaded.status(), "serving; plugin config reload applied, generation 2")
      << reloaded.text;

  server_->signal(SIGTERM);
  const Notification stopping = expectNext("STOPPING=1");
  EXPECT_TRUE(stopping.has("STOPPING=1")) << stopping.text;
  const int status = server_->waitForExit(std::chrono::seconds(20));
  ASSERT_NE(status, -1) << "still running 20 s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << server_->stderrText();
  EXPECT_FALSE(socket_.next(std::chrono::milliseconds(0))) << "a message after STOPPING=1";
}

TEST_F(SystemdNotifyTest, ARefusedReloadIsReadyAgainWithTheRunningGenerationNamed) {
  startNotifyingServer();
  const Notification ready = expectNext("READY=1");
  EXPECT_TRUE(ready.has("READY=1")) << ready.text;

  // An edit that cannot be read: the running config stays, and systemd must not think the reload
  // is still going on.
  std::ofstream(plugin_config_, std::ios::trunc) << "{\"database\": ";
  server_->signal(SIGHUP);
  const Notification reloading = expectNext("RELOADING=1");
  EXPECT_TRUE(reloading.has("RELOADING=1")) << reloading.text;
  const Notification refused = expectNext("READY=1 after the refused reload");
  EXPECT_TRUE(refused.has("READY=1")) << refused.text;
  EXPECT_EQ(refused.status(),
            "serving; plugin config reload refused, generation 1 stays (see the log)")
      << refused.text;
  EXPECT_EQ(get("/healthz", "").status, 200);
}

}  // namespace
}  // namespace creditgate::testing
