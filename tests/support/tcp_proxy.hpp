// Test support: a loopback TCP proxy in front of PostgreSQL that a test can switch between
// forwarding, refusing (the database is down), stalling (it accepts bytes but never answers, like
// stopped backends) and losing answers (requests reach the server, which does the work, but the
// connection breaks as its answer comes back). Only ever listens on and connects to 127.0.0.1.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace creditgate::testing {

class TcpProxy {
 public:
  enum class Mode { forward, refuse, stall, lose_answers };

  explicit TcpProxy(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  // refuse also drops every open connection; stall freezes them (and new ones) in place.
  void setMode(Mode mode);

 private:
  void acceptLoop();
  void pump(int from, int to, bool from_server);
  void dropConnections();

  const int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<Mode> mode_{Mode::forward};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<int> sockets_;
  std::vector<std::thread> pumps_;
  std::thread acceptor_;
};

}  // namespace creditgate::testing
