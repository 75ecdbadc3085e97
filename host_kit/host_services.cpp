#include "host_services.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>

namespace creditgate::host_kit {
namespace json = boost::json;

namespace {

const char* levelName(api::LogLevel level) noexcept {
  switch (level) {
    case api::LogLevel::debug: return "debug";
    case api::LogLevel::info: return "info";
    case api::LogLevel::warning: return "warning";
    case api::LogLevel::error: return "error";
  }
  return "error";
}

json::string_view view(std::string_view text) {
  return {text.data(), text.size()};
}

}  // namespace

LoggingHostServices::LoggingHostServices(std::optional<std::filesystem::path> notifications_file)
    : notifications_file_(std::move(notifications_file)) {}

void LoggingHostServices::log(api::LogLevel level, std::string_view message) noexcept {
  try {
    std::string line = std::string("[") + levelName(level) + "] ";
    line.append(message);
    line += '\n';
    std::lock_guard lock(log_mutex_);
    std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {
    // Out of memory while logging: there is nowhere left to report it.
  }
}

std::string LoggingHostServices::notificationLine(const api::Notification& notification) {
  json::object line;
  line["event_id"] = view(notification.event_id);
  line["tenant"] = view(notification.tenant_id);
  line["type"] = view(notification.type);
  line["contact"] = view(notification.contact);
  json::error_code ec;
  json::value payload = json::parse(view(notification.payload_json), ec);
  // A payload that is not JSON is still an event the contact should get: keep it, as text.
  line["payload"] = ec ? json::value(view(notification.payload_json)) : std::move(payload);
  return json::serialize(line) + "\n";
}

bool LoggingHostServices::notify(const api::Notification& notification) noexcept {
  try {
    std::string line = notificationLine(notification);
    if (!notifications_file_) {
      log(api::LogLevel::info, "notification " + line.substr(0, line.size() - 1));
      return true;
    }
    if (appendLine(line)) return true;
    int error = errno;
    // Said once per event: the plugin keeps the event and may hand it over again.
    log(api::LogLevel::warning, "cannot append notification " + std::string(notification.event_id) +
                                    " to " + notifications_file_->string() + ": " +
                                    std::strerror(error));
    return false;
  } catch (...) {
    return false;
  }
}

// Opened per event, not kept open: notifications are rare and this survives log rotation.
bool LoggingHostServices::appendLine(const std::string& line) {
  std::lock_guard lock(notify_mutex_);
  std::FILE* file = std::fopen(notifications_file_->c_str(), "a");
  if (!file) return false;
  bool written = std::fwrite(line.data(), 1, line.size(), file) == line.size();
  written = std::fflush(file) == 0 && written;
  return std::fclose(file) == 0 && written;
}

std::int64_t LoggingHostServices::nowUnixMicros() noexcept {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace creditgate::host_kit
