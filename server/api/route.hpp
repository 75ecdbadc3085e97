// Which endpoint a request names. Path ids (batch, tenant) are percent-decoded here and refused
// when they could mean another path ("..", an encoded '/', control characters): the plugin then
// checks them against its own rules, so an id means the same over HTTP as in the host API.
#pragma once

#include <string>
#include <string_view>

namespace creditgate::server {

enum class Endpoint {
  decide,    // POST /v1/batches/{batch_id}/decide
  outcomes,  // POST /v1/batches/{batch_id}/outcomes
  quote,     // POST /v1/quote
  balance,   // GET  /v1/tenants/{tenant}/balance
  healthz,   // GET  /healthz
  readyz,    // GET  /readyz
  metrics,   // GET  /metrics
};

// Stable label for metrics and logs: "decide", "balance", ... ("unmatched" for no endpoint).
std::string_view endpointName(Endpoint endpoint) noexcept;

struct RouteMatch {
  enum class Outcome {
    matched,
    not_found,           // no such path
    method_not_allowed,  // path exists, other method: `allow` names the right one
    bad_path_id,         // an id segment cannot be decoded or could escape its segment
  } outcome = Outcome::not_found;
  Endpoint endpoint = Endpoint::healthz;
  std::string id;          // decoded batch id or tenant id, for the endpoints that have one
  std::string_view allow;  // method_not_allowed: "GET" or "POST"
  std::string problem;     // bad_path_id: what is wrong, naming the segment
};

RouteMatch matchRoute(std::string_view method, std::string_view target);

}  // namespace creditgate::server
