// Test support: a plain-socket HTTP/1.1 client, so tests can speak correct HTTP (keep-alive,
// Content-Length) and also the wrong kinds a hostile client sends (a header that never ends, a
// body that is announced and never sent). Every exchange made with request() is appended to the
// JSON-lines file named by CREDITGATE_API_RESPONSE_LOG, which tests/openapi/validate_responses.mjs
// checks against docs/openapi.yaml.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creditgate::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& name) const;  // "" when absent
};

class HttpConnection {
 public:
  explicit HttpConnection(unsigned short port);  // to 127.0.0.1; throws when it cannot connect
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // One request on this connection; throws std::runtime_error when no complete reply comes in
  // `timeout` (the connection closed or stalled).
  HttpReply request(const std::string& method, const std::string& target, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

  void sendRaw(std::string_view bytes);  // false-free: throws when the peer is gone
  // The next reply, or nullopt when the server closed the connection (or `timeout` passed).
  std::optional<HttpReply> readReply(std::chrono::milliseconds timeout);
  // True when the server closes the connection within `timeout` (EOF or reset).
  bool closedWithin(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string buffered_;
};

// One request on a fresh connection, as most clients make them.
HttpReply httpCall(unsigned short port, const std::string& method, const std::string& target,
                   const std::string& body = "", const std::string& api_key = "",
                   const std::string& content_type = "application/json");

// Appends an exchange to CREDITGATE_API_RESPONSE_LOG (no-op when unset).
void logExchange(const std::string& method, const std::string& target, const HttpReply& reply);

}  // namespace creditgate::testing
