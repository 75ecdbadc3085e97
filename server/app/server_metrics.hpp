// The server's own metrics, served on /metrics after the plugin's: requests by endpoint and status,
// their latency, and the connections open. Labels are bounded: endpoint names and status codes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace creditgate::server {

class ServerMetrics {
 public:
  ServerMetrics();
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // One answered request: from its last header byte read to its response handed to the socket.
  void observeRequest(std::string_view route, int status, double seconds);
  void connectionOpened();
  void connectionClosed();
  void connectionRefused();  // over limits.max_connections
  void clientTimedOut();     // slow header, slow body or idle keep-alive past its limit

  // The API key store's own counters, read when /metrics is served.
  struct KeyLookups {
    std::uint64_t lookups = 0;
    std::uint64_t failures = 0;
  };
  void readKeyLookupsWith(std::function<KeyLookups()> read);

  std::string text() const;  // Prometheus text exposition

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace creditgate::server
