// What an API key may do. Every key has exactly one scope, written as text in the database
// (creditgate.api_key.scope, whose CHECK accepts exactly what parseScope does) and on creditctl's
// command line:
//
//   gateway        decide, quote and report outcomes, for any tenant (a gateway sends for many);
//                  not balances: a gateway has no business reading other tenants' accounts
//   admin          everything
//   tenant:<id>    read its own tenant's balance, nothing else (a tenant's dashboard)
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace creditgate::server {

struct Scope {
  enum class Kind { gateway, admin, tenant };
  Kind kind = Kind::gateway;
  std::string tenant_id;  // Kind::tenant only; empty otherwise

  static Scope gateway() { return {Kind::gateway, {}}; }
  static Scope admin() { return {Kind::admin, {}}; }
  // `tenant_id` is not checked here: parseScope is where text from outside becomes a Scope.
  static Scope tenant(std::string tenant_id) { return {Kind::tenant, std::move(tenant_id)}; }

  friend bool operator==(const Scope&, const Scope&) = default;
};

// What a request asks to do, as the server's routes map onto it.
enum class Action { decide, quote, report_outcomes, read_balance, read_metrics };

// "gateway", "admin" or "tenant:<id>" where <id> follows the tenant-id rule
// (plugin/base/tenant_id.hpp). Otherwise an error quoting the text and saying what is wrong, e.g.
// "scope 'tenant:' names no valid tenant: the tenant id '' is empty (tenant ids must be ...)".
std::variant<Scope, std::string> parseScope(std::string_view text);

// The scope as parseScope reads it back.
std::string scopeText(const Scope& scope);

// Whether a key of `scope` may do `action` for the tenant `tenant_id` (the tenant the request is
// about). gateway: decide, quote, report_outcomes for any tenant; admin: everything; tenant:<id>:
// read_balance of exactly <id> (byte for byte; tenant ids are case-sensitive). read_metrics (when
// the server's metrics_access asks for a key): admin only.
bool permits(const Scope& scope, Action action, std::string_view tenant_id) noexcept;

std::string_view actionName(Action action) noexcept;  // "decide", "read_balance", ...

}  // namespace creditgate::server
