// The billing API: one HTTP request in, one response out, with the plugin as the only engine.
// Per request: which endpoint, who is calling (API key and scope), is the body what the endpoint
// documents, then one host API call (decide, quote, report, balance, readiness) and its answer as
// JSON (answer_json.hpp). Runs on the server's worker threads: every call here may block on the
// ledger. Nothing here touches a socket (server/http does), so all of it is testable as is.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "creditgate/host_api.hpp"
#include "http_types.hpp"
#include "key_store.hpp"

namespace creditgate::server {

class ServerMetrics;

struct Handled {
  Response response;
  std::string_view route;  // endpointName(), or "unmatched": a bounded metrics label
};

class BillingApi {
 public:
  // Looks up an Authorization header's key: ApiKeyStore::authenticate in the server.
  using Authenticate = std::function<std::variant<Caller, AuthFailure>(std::string_view)>;

  // metrics_need_admin: /metrics answers only admin keys (per-tenant balance gauges are tenants'
  // business; see ServerConfig::metrics_need_admin).
  BillingApi(api::CreditGate& gate, Authenticate authenticate, ServerMetrics& metrics,
             bool metrics_need_admin);

  Handled handle(const Request& request);

  // From now on /readyz answers 503, so a load balancer stops sending before the server stops.
  void beginDrain() noexcept { draining_.store(true); }

 private:
  Response decide(const Request& request, const std::string& batch_id);
  Response quote(const Request& request);
  Response outcomes(const Request& request, const std::string& batch_id);
  Response balance(const Request& request, const std::string& tenant);
  Response readiness();
  Response metricsText();
  // nullopt: the caller may; otherwise the 401/403/503 to send.
  std::optional<Response> refuseCaller(const Request& request, Action action,
                                       std::string_view tenant);

  api::CreditGate& gate_;
  Authenticate authenticate_;
  ServerMetrics& metrics_;
  const bool metrics_need_admin_;
  std::atomic<bool> draining_{false};
};

}  // namespace creditgate::server
