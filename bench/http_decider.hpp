// HttpDecider: decide() over creditgate-server's HTTP API (POST /v1/batches/{id}/decide), for
// bench/decision_load --http. One keep-alive connection, blocking POSIX sockets, no library: the
// client's own cost stays small and visible (one send, a recv or two and a short parse per call)
// on a machine whose CPUs the server and PostgreSQL share with it.
//
// Not a general HTTP client: it reads the answers of creditgate-server (HTTP/1.1, Content-Length,
// no chunking, no pipelining) and the few members of a decide answer a load generator counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "creditgate/host_api.hpp"

namespace creditgate::bench {

class HttpDecider {
 public:
  // host: an IPv4 address (the bench talks to 127.0.0.1); key: the whole "cg_..." API key.
  HttpDecider(std::string host, std::uint16_t port, std::string key);
  ~HttpDecider();
  HttpDecider(const HttpDecider&) = delete;
  HttpDecider& operator=(const HttpDecider&) = delete;

  // The server's verdict, as decide() would return it in-process (decision, reason, replayed,
  // recipients_allowed). A transport failure or an answer without a decision (401, 400, a broken
  // connection) is a block with reason internal_error and the cause in `detail`; never throws.
  api::Verdict decide(const api::Batch& batch) noexcept;

  std::uint64_t connects() const noexcept { return connects_; }
  std::uint64_t non200() const noexcept { return non_200_; }

 private:
  bool connect(std::string& error);
  void disconnect() noexcept;
  bool sendAll(std::string& error);
  // Reads one answer into in_; sets status_, body_begin_, body_size_, close_after_.
  bool receive(std::string& error);

  std::string host_;
  std::uint16_t port_;
  std::string host_port_;  // the Host header
  std::string key_;
  int fd_ = -1;
  std::string request_;
  std::string body_;
  std::vector<char> in_;
  std::size_t in_size_ = 0;
  int status_ = 0;
  std::size_t body_begin_ = 0;
  std::size_t body_size_ = 0;
  bool close_after_ = false;
  std::uint64_t connects_ = 0;
  std::uint64_t non_200_ = 0;
};

}  // namespace creditgate::bench
