// What a host lends the plugin, shared by the sample gateway and creditgate-server: a log on
// stderr, a notifier that appends JSON lines to a file (or logs them), and the wall clock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "creditgate/host_api.hpp"

namespace creditgate::host_kit {

class LoggingHostServices final : public api::HostServices {
 public:
  // Without a notifications file, notifications are logged instead.
  explicit LoggingHostServices(std::optional<std::filesystem::path> notifications_file);

  // "[level] message" on stderr, one write per line so that threads never interleave mid-line.
  void log(api::LogLevel level, std::string_view message) noexcept override;
  // Appends {"event_id","tenant","type","contact","payload"} as one line; false if it cannot be
  // written.
  bool notify(const api::Notification& notification) noexcept override;
  std::int64_t nowUnixMicros() noexcept override;

  // The JSON line notify() writes (payload embedded as JSON when it parses, as a string otherwise).
  static std::string notificationLine(const api::Notification& notification);

 private:
  bool appendLine(const std::string& line);

  std::optional<std::filesystem::path> notifications_file_;
  std::mutex log_mutex_;
  std::mutex notify_mutex_;
};

}  // namespace creditgate::host_kit
