#include "billing_api.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <random>

#include "answer_json.hpp"
#include "excerpt.hpp"
#include "request_body.hpp"
#include "route.hpp"
#include "server_metrics.hpp"

namespace creditgate::server {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// application/json, optionally with "; charset=utf-8" (JSON is UTF-8: RFC 8259 section 8.1).
bool isJson(std::string_view content_type) {
  const std::size_t semicolon = content_type.find(';');
  if (!equalsIgnoringCase(trimmed(content_type.substr(0, semicolon)), "application/json"))
    return false;
  if (semicolon == std::string_view::npos) return true;
  std::string_view parameter = trimmed(content_type.substr(semicolon + 1));
  return equalsIgnoringCase(parameter, "charset=utf-8") ||
         equalsIgnoringCase(parameter, "charset=\"utf-8\"");
}

std::optional<Response> refuseContentType(const Request& request) {
  if (isJson(request.content_type)) return std::nullopt;
  return errorAnswer(
      415, "unsupported_media_type",
      request.content_type.empty()
          ? "the body must be JSON: send Content-Type: application/json"
          : "Content-Type '" + excerpt(request.content_type, 80) + "' is not application/json",
      "Content-Type");
}

Response bodyRefused(const BodyError& error) {
  return errorAnswer(error.kind == BodyError::Kind::malformed ? 400 : 422, error.code,
                     error.message, error.field);
}

std::string_view actionPhrase(Action action) {
  switch (action) {
    case Action::decide: return "decide";
    case Action::quote: return "quote";
    case Action::report_outcomes: return "report outcomes";
    case Action::read_balance: return "read balances";
    case Action::read_metrics: return "read the metrics: an admin key may";
  }
  return "do this";
}

std::string unusedBatchId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char text[40];
  std::snprintf(text, sizeof text, "quote-%016llx%016llx",
                static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random()));
  return text;
}

}  // namespace

BillingApi::BillingApi(api::CreditGate& gate, Authenticate authenticate, ServerMetrics& metrics,
                       bool metrics_need_admin)
    : gate_(gate),
      authenticate_(std::move(authenticate)),
      metrics_(metrics),
      metrics_need_admin_(metrics_need_admin) {}

Handled BillingApi::handle(const Request& request) {
  const RouteMatch match = matchRoute(request.method, request.target);
  switch (match.outcome) {
    case RouteMatch::Outcome::not_found:
      return {errorAnswer(404, "not_found",
                          "no such endpoint: " + excerpt(request.method, 16) + " " +
                              excerpt(request.target, 120)),
              "unmatched"};
    case RouteMatch::Outcome::method_not_allowed: {
      Response response = errorAnswer(
          405, "method_not_allowed",
          excerpt(request.method, 16) + " is not allowed here; use " + std::string(match.allow));
      response.headers.emplace_back("Allow", std::string(match.allow));
      return {std::move(response), endpointName(match.endpoint)};
    }
    case RouteMatch::Outcome::bad_path_id:
      return {errorAnswer(400, "invalid_path", match.problem,
                          match.endpoint == Endpoint::balance ? "tenant" : "batch_id"),
              endpointName(match.endpoint)};
    case RouteMatch::Outcome::matched: break;
  }
  const std::string_view route = endpointName(match.endpoint);
  switch (match.endpoint) {
    case Endpoint::decide: return {decide(request, match.id), route};
    case Endpoint::quote: return {quote(request), route};
    case Endpoint::outcomes: return {outcomes(request, match.id), route};
    case Endpoint::balance: return {balance(request, match.id), route};
    case Endpoint::healthz:
      return {Response{200, "application/json", R"({"status":"up"})", {}}, route};
    case Endpoint::readyz: return {readiness(), route};
    case Endpoint::metrics: {
      if (metrics_need_admin_) {
        if (auto refused = refuseCaller(request, Action::read_metrics, {}))
          return {*refused, route};
      }
      return {metricsText(), route};
    }
  }
  return {errorAnswer(500, "internal_error", "unrouted endpoint"), route};
}

std::optional<Response> BillingApi::refuseCaller(const Request& request, Action action,
                                                 std::string_view tenant) {
  const std::variant<Caller, AuthFailure> who = authenticate_(request.authorization);
  if (const AuthFailure* failure = std::get_if<AuthFailure>(&who)) {
    if (*failure == AuthFailure::store_unavailable) {
      return errorAnswer(503, "auth_unavailable",
                         "the API key cannot be checked now (key store unreachable); retry");
    }
    Response response =
        errorAnswer(401, "unauthorized",
                    *failure == AuthFailure::missing
                        ? "send an API key: Authorization: Bearer cg_..."
                        : "the API key is not accepted (malformed, unknown or revoked)");
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"creditgate\"");
    return response;
  }
  const Caller& caller = std::get<Caller>(who);
  if (!permits(caller.scope, action, tenant)) {
    // Says nothing about the tenant: whether it exists is not this caller's to learn.
    return errorAnswer(
        403, "forbidden",
        "API key " + caller.key_id + " (scope " + scopeText(caller.scope) + ") may not " +
            std::string(actionPhrase(action)) +
            (action == Action::read_balance && caller.scope.kind == Scope::Kind::tenant
                 ? " of this tenant"
                 : ""));
  }
  return std::nullopt;
}

Response BillingApi::decide(const Request& request, const std::string& batch_id) {
  if (auto refused = refuseCaller(request, Action::decide, {})) return *refused;
  if (auto refused = refuseContentType(request)) return *refused;
  auto parsed = parseBatchBody(request.body, BatchBodyKind::decide);
  if (auto* error = std::get_if<BodyError>(&parsed)) return bodyRefused(*error);
  const BatchBody& body = std::get<BatchBody>(parsed);
  const BatchBody::View view = body.view(batch_id);
  const api::Verdict verdict = gate_.decide(view.batch);
  return decideAnswer(batch_id, body.tenant, body.recipients.size(), verdict);
}

Response BillingApi::quote(const Request& request) {
  if (auto refused = refuseCaller(request, Action::quote, {})) return *refused;
  if (auto refused = refuseContentType(request)) return *refused;
  auto parsed = parseBatchBody(request.body, BatchBodyKind::quote);
  if (auto* error = std::get_if<BodyError>(&parsed)) return bodyRefused(*error);
  const BatchBody& body = std::get<BatchBody>(parsed);
  // A quote needs no batch id, but the plugin judges a quote's id like a retry of that batch (a
  // replay, or a conflict). So an absent id becomes one no client has used: random, 128 bits.
  const std::string batch_id = body.batch_id.empty() ? unusedBatchId() : body.batch_id;
  const BatchBody::View view = body.view(batch_id);
  return quoteAnswer(body.tenant, body.recipients.size(), gate_.quote(view.batch));
}

Response BillingApi::outcomes(const Request& request, const std::string& batch_id) {
  if (auto refused = refuseCaller(request, Action::report_outcomes, {})) return *refused;
  if (auto refused = refuseContentType(request)) return *refused;
  auto parsed = parseOutcomesBody(request.body);
  if (auto* error = std::get_if<BodyError>(&parsed)) return bodyRefused(*error);
  const OutcomesBody& body = std::get<OutcomesBody>(parsed);
  const OutcomesBody::View view = body.view(batch_id);
  return outcomesAnswer(batch_id, body.tenant, gate_.report(view.report));
}

Response BillingApi::balance(const Request& request, const std::string& tenant) {
  if (auto refused = refuseCaller(request, Action::read_balance, tenant)) return *refused;
  return balanceAnswer(tenant, gate_.balance(tenant));
}

Response BillingApi::readiness() {
  boost::json::object body;
  Response response;
  if (draining_.load()) {
    body["ready"] = false;
    body["detail"] = "shutting down: finishing the requests in flight";
    response.status = 503;
  } else {
    const api::Readiness r = gate_.readiness();
    body["ready"] = r.ready;
    body["ledger_answering"] = r.ledger_answering;
    body["circuit_closed"] = r.circuit_closed;
    body["config_generation"] = r.config_generation;
    body["detail"] = std::string_view(r.detail, strnlen(r.detail, sizeof r.detail));
    response.status = r.ready ? 200 : 503;
  }
  if (response.status == 503)
    response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  response.body = boost::json::serialize(body);
  return response;
}

Response BillingApi::metricsText() {
  Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = gate_.metricsText() + metrics_.text();
  return response;
}

}  // namespace creditgate::server
