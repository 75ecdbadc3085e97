#include "gateway_config.hpp"

#include <string>

#include <boost/json/value.hpp>

#include "json_file.hpp"

namespace sample_gateway {
namespace json = boost::json;

namespace {

// Paths in gateway.json are relative to gateway.json itself, so a config directory can move as one.
std::filesystem::path resolvePath(const json::value& value, const std::string& key,
                                  const std::filesystem::path& base) {
  std::string text = requireString(value, key);
  if (text.empty()) throw InputError(key + ": must not be empty");
  std::filesystem::path path(text);
  return path.is_absolute() ? path : (base / path).lexically_normal();
}

GatewayConfig parseGatewayConfig(const json::value& document, const std::filesystem::path& base) {
  const json::object& root = requireObject(document, "(document)");
  refuseUnknownKeys(root,
                    {"plugin", "plugin_config", "batch_size", "sender_threads",
                     "delivery_failure_percent", "notifications_file"},
                    "");
  GatewayConfig config;
  config.plugin = resolvePath(requireMember(root, "plugin", ""), "plugin", base);
  config.plugin_config =
      resolvePath(requireMember(root, "plugin_config", ""), "plugin_config", base);
  if (const json::value* v = root.if_contains("batch_size")) {
    config.batch_size = static_cast<std::size_t>(requireInteger(*v, "batch_size", 1, 10000));
  }
  if (const json::value* v = root.if_contains("sender_threads")) {
    config.sender_threads = static_cast<unsigned>(requireInteger(*v, "sender_threads", 1, 64));
  }
  if (const json::value* v = root.if_contains("delivery_failure_percent")) {
    config.delivery_failure_percent =
        static_cast<int>(requireInteger(*v, "delivery_failure_percent", 0, 100));
  }
  if (const json::value* v = root.if_contains("notifications_file")) {
    config.notifications_file = resolvePath(*v, "notifications_file", base);
  }
  return config;
}

}  // namespace

GatewayConfig loadGatewayConfig(const std::filesystem::path& file) {
  json::value document = readJsonFile(file);
  std::filesystem::path base = std::filesystem::absolute(file).parent_path();
  try {
    return parseGatewayConfig(document, base);
  } catch (const InputError& e) {
    throw InputError(file.string() + ": " + e.what());
  }
}

}  // namespace sample_gateway
