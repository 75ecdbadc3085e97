#include "tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace creditgate::testing {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address = loopback(0);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 64) != 0) {
    throw std::runtime_error("proxy cannot listen");
  }
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  acceptor_.join();
  dropConnections();
  for (auto& pump : pumps_) pump.join();
  for (int fd : sockets_) ::close(fd);
}

void TcpProxy::setMode(Mode mode) {
  mode_ = mode;
  if (mode == Mode::refuse) dropConnections();
}

void TcpProxy::dropConnections() {
  std::lock_guard lock(mutex_);
  for (int fd : sockets_) ::shutdown(fd, SHUT_RDWR);  // the pumps see EOF and close
}

void TcpProxy::acceptLoop() {
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 100) <= 0) continue;
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    if (mode_ == Mode::refuse) {  // the database is "down": hang up at once
      ::close(client);
      continue;
    }
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in target = loopback(target_port_);
    if (::connect(server, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
      ::close(server);
      ::close(client);
      continue;
    }
    std::lock_guard lock(mutex_);
    sockets_.push_back(client);
    sockets_.push_back(server);
    pumps_.emplace_back([this, client, server] { pump(client, server, false); });
    pumps_.emplace_back([this, client, server] { pump(server, client, true); });
  }
}

void TcpProxy::pump(int from, int to, bool from_server) {
  char buffer[16384];
  while (!stopping_) {
    if (mode_ == Mode::stall) {  // hold the bytes: the peer waits, as on a stopped backend
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    pollfd waiting{from, POLLIN, 0};
    if (::poll(&waiting, 1, 50) <= 0) continue;
    const ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n <= 0) break;
    // The server has done the work and answers: the answer is lost with the connection.
    if (from_server && mode_ == Mode::lose_answers) break;
    // MSG_NOSIGNAL: a peer that already closed must end this pump, not the test process (SIGPIPE).
    if (::send(to, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
  }
  ::shutdown(to, SHUT_RDWR);
  ::shutdown(from, SHUT_RDWR);
}

}  // namespace creditgate::testing
