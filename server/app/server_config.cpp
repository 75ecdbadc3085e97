#include "server_config.hpp"

#include <fstream>
#include <initializer_list>
#include <sstream>

#include "json_document.hpp"

namespace creditgate::server {
namespace {

struct Refusal {
  std::string message;
};

[[noreturn]] void refuse(const JsonPosition& at, const std::string& field,
                         const std::string& what) {
  throw Refusal{"line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ": " +
                (field.empty() ? "" : field + ": ") + what};
}

std::string path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

const JsonNode& object(const JsonNode& node, const std::string& field) {
  if (node.kind != JsonNode::Kind::object)
    refuse(node.position, field, "expected an object, got " + std::string(jsonKindName(node.kind)));
  return node;
}

void onlyKnown(const JsonNode& node, const std::string& field,
               std::initializer_list<std::string_view> known) {
  for (std::size_t i = 0; i < node.members.size(); ++i) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || node.members[i].first == k;
    if (!ok) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      refuse(node.key_positions[i], path(field, node.members[i].first),
             "unknown key (expected one of: " + list + ")");
    }
  }
}

// Values are never quoted back in errors: auth.database_dsn holds a password.
std::string text(const JsonNode& node, const std::string& field) {
  if (node.kind != JsonNode::Kind::string)
    refuse(node.position, field, "expected a string, got " + std::string(jsonKindName(node.kind)));
  if (node.text.empty()) refuse(node.position, field, "must not be empty");
  return node.text;
}

std::int64_t integer(const JsonNode& node, const std::string& field, std::int64_t min,
                     std::int64_t max) {
  if (node.kind != JsonNode::Kind::integer) {
    refuse(node.position, field,
           node.kind == JsonNode::Kind::number
               ? "'" + node.text + "' is not a whole number"
               : "expected a whole number, got " + std::string(jsonKindName(node.kind)));
  }
  if (node.integer < min || node.integer > max) {
    refuse(node.position, field,
           std::to_string(node.integer) + " is out of range " + std::to_string(min) + ".." +
               std::to_string(max));
  }
  return node.integer;
}

bool boolean(const JsonNode& node, const std::string& field) {
  if (node.kind != JsonNode::Kind::boolean)
    refuse(node.position, field,
           "expected true or false, got " + std::string(jsonKindName(node.kind)));
  return node.boolean;
}

std::filesystem::path file(const JsonNode& node, const std::string& field,
                           const std::filesystem::path& base) {
  std::filesystem::path p(text(node, field));
  return p.is_absolute() ? p : (base / p).lexically_normal();
}

const JsonNode& required(const JsonNode& parent, std::string_view key, const std::string& field) {
  const JsonNode* node = parent.find(key);
  if (!node) refuse(parent.position, path(field, key), "is required");
  return *node;
}

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:443".
void listen(const JsonNode& node, ServerConfig& config) {
  const std::string value = text(node, "listen");
  const std::size_t colon = value.rfind(':');
  std::string host = colon == std::string::npos ? "" : value.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : value.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) digits = digits && c >= '0' && c <= '9';
  if (host.empty() || !digits || std::stoi(port) > 65535) {
    refuse(node.position, "listen", "'" + value + "' is not ADDRESS:PORT (e.g. 127.0.0.1:8080)");
  }
  config.listen_address = host;
  config.listen_port = static_cast<unsigned short>(std::stoi(port));
}

std::chrono::milliseconds millis(const JsonNode& parent, std::string_view key,
                                 const std::string& field, std::chrono::milliseconds fallback,
                                 std::int64_t min, std::int64_t max) {
  const JsonNode* node = parent.find(key);
  if (!node) return fallback;
  return std::chrono::milliseconds(integer(*node, path(field, key), min, max));
}

void limits(const JsonNode& node, ServerConfig& config) {
  object(node, "limits");
  onlyKnown(node, "limits",
            {"max_body_bytes", "max_header_bytes", "header_timeout_ms", "body_timeout_ms",
             "idle_timeout_ms", "write_timeout_ms", "max_connections", "shutdown_grace_ms"});
  HttpLimits& l = config.limits;
  if (const JsonNode* n = node.find("max_body_bytes"))
    l.max_body_bytes =
        static_cast<std::size_t>(integer(*n, "limits.max_body_bytes", 1024, 64 << 20));
  if (const JsonNode* n = node.find("max_header_bytes"))
    l.max_header_bytes =
        static_cast<std::size_t>(integer(*n, "limits.max_header_bytes", 1024, 1 << 20));
  l.header_timeout = millis(node, "header_timeout_ms", "limits", l.header_timeout, 100, 600'000);
  l.body_timeout = millis(node, "body_timeout_ms", "limits", l.body_timeout, 100, 600'000);
  l.idle_timeout = millis(node, "idle_timeout_ms", "limits", l.idle_timeout, 100, 3'600'000);
  l.write_timeout = millis(node, "write_timeout_ms", "limits", l.write_timeout, 100, 600'000);
  if (const JsonNode* n = node.find("max_connections"))
    l.max_connections = static_cast<std::size_t>(integer(*n, "limits.max_connections", 1, 100'000));
  config.shutdown_grace =
      millis(node, "shutdown_grace_ms", "limits", config.shutdown_grace, 0, 600'000);
}

std::chrono::seconds seconds(const JsonNode& parent, std::string_view key, const std::string& field,
                             std::int64_t unit_seconds, std::chrono::seconds fallback,
                             std::int64_t min, std::int64_t max) {
  const JsonNode* node = parent.find(key);
  if (!node) return fallback;
  return std::chrono::seconds(integer(*node, path(field, key), min, max) * unit_seconds);
}

void portal(const JsonNode& node, ServerConfig& config) {
  object(node, "portal");
  onlyKnown(node, "portal",
            {"database_dsn", "pool_size", "statement_timeout_ms", "session_idle_minutes",
             "session_absolute_hours", "login_failures_allowed", "login_window_minutes",
             "prepared_statements"});
  PortalConfig p;
  p.database_dsn = text(required(node, "database_dsn", "portal"), "portal.database_dsn");
  if (const JsonNode* n = node.find("pool_size"))
    p.pool_size = static_cast<int>(integer(*n, "portal.pool_size", 1, 256));
  if (const JsonNode* n = node.find("prepared_statements"))
    p.prepared_statements = boolean(*n, "portal.prepared_statements");
  p.statement_timeout =
      millis(node, "statement_timeout_ms", "portal", p.statement_timeout, 1, 600'000);
  p.session_idle = seconds(node, "session_idle_minutes", "portal", 60, p.session_idle, 1, 24 * 60);
  p.session_absolute =
      seconds(node, "session_absolute_hours", "portal", 3600, p.session_absolute, 1, 30 * 24);
  if (p.session_idle > p.session_absolute) {
    refuse(node.position, "portal.session_idle_minutes",
           "is longer than portal.session_absolute_hours");
  }
  if (const JsonNode* n = node.find("login_failures_allowed"))
    p.login_failures_allowed =
        static_cast<int>(integer(*n, "portal.login_failures_allowed", 1, 100));
  p.login_window = seconds(node, "login_window_minutes", "portal", 60, p.login_window, 1, 24 * 60);
  config.portal = std::move(p);
}

ServerConfig read(const JsonNode& root, const std::filesystem::path& base) {
  object(root, "");
  onlyKnown(root, "",
            {"listen", "tls", "plugin", "auth", "limits", "threads", "notifications_file",
             "metrics_access", "portal"});
  ServerConfig config;
  if (const JsonNode* n = root.find("listen")) listen(*n, config);

  if (const JsonNode* n = root.find("tls")) {
    object(*n, "tls");
    onlyKnown(*n, "tls", {"certificate_chain", "private_key"});
    config.tls = TlsFiles{
        file(required(*n, "certificate_chain", "tls"), "tls.certificate_chain", base).string(),
        file(required(*n, "private_key", "tls"), "tls.private_key", base).string()};
  }

  const JsonNode& plugin = object(required(root, "plugin", ""), "plugin");
  onlyKnown(plugin, "plugin", {"library", "config"});
  config.plugin_library = file(required(plugin, "library", "plugin"), "plugin.library", base);
  config.plugin_config = file(required(plugin, "config", "plugin"), "plugin.config", base);

  const JsonNode& auth = object(required(root, "auth", ""), "auth");
  onlyKnown(auth, "auth",
            {"database_dsn", "cache_ms", "statement_timeout_ms", "prepared_statements"});
  config.keys_dsn = text(required(auth, "database_dsn", "auth"), "auth.database_dsn");
  config.keys_cache = millis(auth, "cache_ms", "auth", config.keys_cache, 0, 3'600'000);
  config.keys_statement_timeout =
      millis(auth, "statement_timeout_ms", "auth", config.keys_statement_timeout, 1, 600'000);
  if (const JsonNode* n = auth.find("prepared_statements"))
    config.keys_prepared_statements = boolean(*n, "auth.prepared_statements");

  if (const JsonNode* n = root.find("limits")) limits(*n, config);

  if (const JsonNode* n = root.find("threads")) {
    object(*n, "threads");
    onlyKnown(*n, "threads", {"io", "workers"});
    if (const JsonNode* io = n->find("io"))
      config.io_threads = static_cast<int>(integer(*io, "threads.io", 1, 64));
    if (const JsonNode* w = n->find("workers"))
      config.worker_threads = static_cast<int>(integer(*w, "threads.workers", 1, 1024));
  }
  if (const JsonNode* n = root.find("notifications_file"))
    config.notifications_file = file(*n, "notifications_file", base);
  if (const JsonNode* n = root.find("portal")) portal(*n, config);
  config.metrics_need_admin = !isLoopback(config.listen_address);
  if (const JsonNode* n = root.find("metrics_access")) {
    const std::string access = text(*n, "metrics_access");
    if (access != "open" && access != "admin_key")
      refuse(n->position, "metrics_access", "'" + access + "' is not open or admin_key");
    config.metrics_need_admin = access == "admin_key";
  }
  return config;
}

}  // namespace

std::variant<ServerConfig, ServerConfigError> parseServerConfig(std::string_view json_text,
                                                                const std::filesystem::path& base) {
  auto parsed = parseJsonDocument(json_text);
  if (auto* syntax = std::get_if<JsonSyntaxError>(&parsed)) {
    return ServerConfigError{"line " + std::to_string(syntax->position.line) + ", column " +
                             std::to_string(syntax->position.column) + ": " + syntax->message};
  }
  try {
    return read(std::get<JsonNode>(parsed), base);
  } catch (const Refusal& refusal) {
    return ServerConfigError{refusal.message};
  }
}

bool isLoopback(const std::string& address) {
  return address == "::1" || address == "localhost" || address.rfind("127.", 0) == 0;
}

std::vector<std::string> unreadableFiles(const ServerConfig& config) {
  std::vector<std::string> problems;
  auto check = [&problems](const char* field, const std::filesystem::path& path) {
    if (!std::ifstream(path, std::ios::binary)) {
      problems.push_back(std::string(field) + ": " + path.string() + " cannot be read");
    }
  };
  check("plugin.library", config.plugin_library);
  check("plugin.config", config.plugin_config);
  if (config.tls) {
    check("tls.certificate_chain", config.tls->certificate_chain);
    check("tls.private_key", config.tls->private_key);
  }
  return problems;
}

std::variant<ServerConfig, ServerConfigError> loadServerConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return ServerConfigError{file.string() + ": cannot be read"};
  std::ostringstream content;
  content << in.rdbuf();
  auto result = parseServerConfig(content.str(), std::filesystem::absolute(file).parent_path());
  if (auto* error = std::get_if<ServerConfigError>(&result))
    error->message = file.string() + ": " + error->message;
  return result;
}

}  // namespace creditgate::server
