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

// {"first_delay_ms": 200, "max_delay_ms": 5000, "give_up_after_s": 120}; a missing key keeps its
// default.
RetryPolicy parseRetryPolicy(const json::value& value, const std::string& field) {
  const json::object& object = requireObject(value, field);
  refuseUnknownKeys(object, {"first_delay_ms", "max_delay_ms", "give_up_after_s"}, field);
  RetryPolicy policy;
  if (const json::value* v = object.if_contains("first_delay_ms")) {
    std::int64_t ms = requireInteger(*v, memberPath(field, "first_delay_ms"), 1, 60'000);
    policy.first_delay = std::chrono::milliseconds(ms);
  }
  if (const json::value* v = object.if_contains("max_delay_ms")) {
    std::int64_t ms = requireInteger(*v, memberPath(field, "max_delay_ms"), 1, 600'000);
    policy.max_delay = std::chrono::milliseconds(ms);
  }
  if (policy.max_delay < policy.first_delay) {
    throw InputError(memberPath(field, "max_delay_ms") + ": " +
                     std::to_string(policy.max_delay.count()) + " is less than first_delay_ms " +
                     std::to_string(policy.first_delay.count()));
  }
  if (const json::value* v = object.if_contains("give_up_after_s")) {
    policy.give_up_after =
        std::chrono::seconds(requireInteger(*v, memberPath(field, "give_up_after_s"), 0, 86'400));
  }
  return policy;
}

GatewayConfig parseGatewayConfig(const json::value& document, const std::filesystem::path& base) {
  const json::object& root = requireObject(document, "(document)");
  refuseUnknownKeys(root,
                    {"plugin", "plugin_config", "batch_size", "sender_threads",
                     "delivery_failure_percent", "notifications_file", "decide_retry",
                     "report_retry", "status_interval_s"},
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
  if (const json::value* v = root.if_contains("decide_retry")) {
    config.decide_retry = parseRetryPolicy(*v, "decide_retry");
  }
  if (const json::value* v = root.if_contains("report_retry")) {
    config.report_retry = parseRetryPolicy(*v, "report_retry");
  }
  if (const json::value* v = root.if_contains("status_interval_s")) {
    config.status_interval = std::chrono::seconds(requireInteger(*v, "status_interval_s", 1, 3600));
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
