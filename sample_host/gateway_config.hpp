// gateway.json: where the plugin and its config are, and how this sample gateway sends.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>

#include "retry_policy.hpp"

namespace sample_gateway {

struct GatewayConfig {
  std::filesystem::path plugin;         // the creditgate plugin .so
  std::filesystem::path plugin_config;  // handed to the plugin's factory
  std::size_t batch_size = 50;          // recipients per batch, 1..10000
  unsigned sender_threads = 4;          // 1..64
  int delivery_failure_percent = 10;    // 0..100: share of simulated undelivered messages
  std::optional<std::filesystem::path> notifications_file;  // JSON lines; absent: log to stderr
  RetryPolicy decide_retry;   // decide() while the ledger does not answer (decision_retry.hpp)
  RetryPolicy report_retry;   // report() while the plugin does not accept it (report_retrier.hpp)
  std::chrono::seconds status_interval{10};  // paced mode's status lines, 1..3600
};

// Reads `file` strictly: unknown keys, wrong types and out-of-range values are refused with an
// InputError naming the file and the key. Relative paths resolve against the file's directory.
GatewayConfig loadGatewayConfig(const std::filesystem::path& file);

}  // namespace sample_gateway
