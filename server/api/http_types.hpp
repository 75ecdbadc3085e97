// What the billing API sees of an HTTP exchange, without Beast: the HTTP layer (server/http) fills
// a Request from the wire and writes a Response back. Keeping the API on these plain types lets the
// request handling be unit-tested and fuzzed without sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace creditgate::server {

struct Request {
  std::string method;         // "GET", "POST", ...
  std::string target;         // as sent: "/v1/batches/b%201/decide?x=1"
  std::string content_type;   // the Content-Type header, "" if absent
  std::string authorization;  // the Authorization header, "" if absent
  std::string cookie;         // the Cookie header(s), "" if absent (the portal's session)
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type/Length
};

}  // namespace creditgate::server
