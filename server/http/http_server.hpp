// HTTP/1.1 with keep-alive on Boost.Beast: an async core (a few I/O threads for every connection),
// optional TLS, and the limits that keep a slow or hostile client from holding the server: header
// size, body size (413 before the body is read), and deadlines for the header, the body and an
// idle keep-alive connection. Requests are handed to a worker pool, since an answer may wait on the
// ledger; the I/O threads never block.
//
// Beast stays in http_server.cpp: this header is what main.cpp and the tests see.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http_types.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace creditgate::server {

class ServerMetrics;
struct Handled;

struct HttpLimits {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;           // request line and every header, together
  std::chrono::milliseconds header_timeout{10'000};  // connection or request start to last header
  std::chrono::milliseconds body_timeout{30'000};    // header end to last body byte
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};   // a response to a client that does not read
  std::size_t max_connections = 1024;
};

struct TlsFiles {
  std::string certificate_chain;  // PEM
  std::string private_key;        // PEM
};

class HttpServer {
 public:
  // Called on a worker thread for every complete request.
  using Handler = std::function<Handled(Request&&)>;

  // Binds `address`:`port` (port 0: any free port) or throws std::runtime_error naming them; TLS
  // files that cannot be used throw the same way.
  HttpServer(boost::asio::io_context& io, boost::asio::thread_pool& workers,
             const std::string& address, unsigned short port, HttpLimits limits,
             std::optional<TlsFiles> tls, Handler handler, ServerMetrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();                          // begins accepting
  unsigned short port() const noexcept;  // the bound port

  // Graceful shutdown, step one: no new connections; idle keep-alive connections are closed; a
  // connection with a request in flight gets its response (with Connection: close), then closes.
  void stopAccepting();
  std::size_t openConnections() const noexcept;

  struct Impl;  // the listener and what its connections share; in http_server.cpp

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace creditgate::server
