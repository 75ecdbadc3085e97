// creditgate-server's config file: where to listen, the plugin and its config, the API keys'
// database, the limits that protect the server, and its threads. Read strictly, like the plugin's:
// an unknown key, a wrong type or a value out of range is refused with line, column and field.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "http_server.hpp"

namespace creditgate::server {

// The billing portal (docs/PORTAL.md): off unless a database login for it is configured.
struct PortalConfig {
  std::string database_dsn;  // a login of role creditgate_portal; secret, never logged
  int pool_size = 4;
  std::chrono::milliseconds statement_timeout{2000};
  std::chrono::seconds session_idle{30 * 60};        // a session unused this long ends
  std::chrono::seconds session_absolute{12 * 3600};  // and every session ends this long after login
  int login_failures_allowed = 5;                    // wrong passwords per email within the window
  std::chrono::seconds login_window{15 * 60};
  // False behind a transaction-pooling proxy (pgbouncer pool_mode = transaction,
  // docs/PGBOUNCER.md): no session settings at connect; the login role must carry statement_timeout
  // and lock_timeout.
  bool prepared_statements = true;
};

struct ServerConfig {
  std::string listen_address = "127.0.0.1";  // loopback unless the admins say otherwise
  unsigned short listen_port = 8080;         // 0: any free port (tests)
  std::optional<TlsFiles> tls;
  std::filesystem::path plugin_library;  // creditgate_plugin.so
  std::filesystem::path plugin_config;   // handed to the plugin's factory
  std::string keys_dsn;                  // a login of role creditgate_server; secret, never logged
  std::chrono::milliseconds keys_cache{5000};  // a revoked key stops working within this
  std::chrono::milliseconds keys_statement_timeout{2000};
  // auth.prepared_statements: false behind a transaction-pooling proxy (docs/PGBOUNCER.md): the key
  // lookup goes unnamed, nothing is set on the session; the login role carries the timeouts.
  bool keys_prepared_statements = true;
  HttpLimits limits;
  std::chrono::milliseconds shutdown_grace{10'000};  // SIGTERM: in-flight requests get this long
  int io_threads = 2;
  // Blocking plugin calls run here. Group commit gathers the decisions waiting at once, so this
  // bounds how many concurrent requests can share one ledger transaction.
  int worker_threads = 64;
  std::optional<std::filesystem::path> notifications_file;  // JSON lines; absent: logged
  // /metrics for admin keys only. Default: open on a loopback listener (Prometheus on the same
  // host), admin-only on any other, since the plugin's per-tenant balance gauges are tenants' data.
  bool metrics_need_admin = false;
  std::optional<PortalConfig> portal;
};

// Whether `address` is this host only (127.0.0.0/8, ::1, localhost): what decides the default of
// metrics_access and whether plain HTTP deserves a warning.
bool isLoopback(const std::string& address);

struct ServerConfigError {
  std::string message;  // "server.json: line 3, column 14: limits.max_body_bytes: 0 is below 1024"
};

// The files the config names that cannot be read now (plugin library and config, TLS files), one
// line each naming the field: what --check-config adds to the syntax check.
std::vector<std::string> unreadableFiles(const ServerConfig& config);

// Relative paths resolve against the config file's directory.
std::variant<ServerConfig, ServerConfigError> loadServerConfig(const std::filesystem::path& file);
std::variant<ServerConfig, ServerConfigError> parseServerConfig(std::string_view json_text,
                                                                const std::filesystem::path& base);

}  // namespace creditgate::server
