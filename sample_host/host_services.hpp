// What this gateway lends the plugin: a log on stderr, a notifier that appends JSON lines to a file,
// and the wall clock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "creditgate/host_api.hpp"

namespace sample_gateway {

class GatewayServices final : public creditgate::api::HostServices {
 public:
  // Without a notifications file, notifications are logged instead.
  explicit GatewayServices(std::optional<std::filesystem::path> notifications_file);

  // "[level] message" on stderr, one write per line so that threads never interleave mid-line.
  void log(creditgate::api::LogLevel level, std::string_view message) noexcept override;
  // Appends {"event_id","tenant","type","contact","payload"} as one line; false if it cannot be written.
  bool notify(const creditgate::api::Notification& notification) noexcept override;
  std::int64_t nowUnixMicros() noexcept override;

  // The JSON line notify() writes (payload embedded as JSON when it parses, as a string otherwise).
  static std::string notificationLine(const creditgate::api::Notification& notification);

 private:
  bool appendLine(const std::string& line);

  std::optional<std::filesystem::path> notifications_file_;
  std::mutex log_mutex_;
  std::mutex notify_mutex_;
};

}  // namespace sample_gateway
