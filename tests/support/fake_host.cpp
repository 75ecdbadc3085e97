#include "fake_host.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace creditgate::testing {

void FakeHost::log(api::LogLevel level, std::string_view message) noexcept {
  std::lock_guard lock(mutex_);
  logs_.push_back(std::to_string(static_cast<int>(level)) + " " + std::string(message));
}

bool FakeHost::notify(const api::Notification& n) noexcept {
  if (notify_fails.load()) return false;
  std::lock_guard lock(mutex_);
  notified_.push_back({std::string(n.event_id), std::string(n.tenant_id), std::string(n.type),
                       std::string(n.contact), std::string(n.payload_json)});
  return true;
}

std::vector<FakeHost::Notified> FakeHost::notified() const {
  std::lock_guard lock(mutex_);
  return notified_;
}

std::int64_t FakeHost::nowUnixMicros() noexcept {
  if (const auto fixed = fixed_now_micros.load(); fixed != 0) return fixed;
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> FakeHost::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

bool FakeHost::logged(std::string_view needle) const {
  std::lock_guard lock(mutex_);
  for (const auto& line : logs_) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

namespace {
// The files hold DSNs: every directory made here is removed when the test process ends.
struct TempDirs {
  std::mutex mutex;
  std::vector<std::filesystem::path> dirs;
  ~TempDirs() {
    std::error_code ignored;
    for (const auto& dir : dirs) std::filesystem::remove_all(dir, ignored);
  }
};
TempDirs& tempDirs() {
  static TempDirs dirs;
  return dirs;
}
}  // namespace

std::filesystem::path writeTempFile(const std::string& name, const std::string& json) {
  static std::atomic<int> counter = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("creditgate-test-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter++));
  std::filesystem::create_directories(dir);
  {
    std::lock_guard lock(tempDirs().mutex);
    tempDirs().dirs.push_back(dir);
  }
  const auto path = dir / name;
  std::ofstream out(path);
  out << json;
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

bool testUnprepared() {
  const char* unprepared_env = std::getenv("CREDITGATE_TEST_UNPREPARED");
  return unprepared_env && std::string(unprepared_env) == "1";
}

std::string withTestPreparedStatements(const std::string& json) {
  if (!testUnprepared() || json.find("\"prepared_statements\"") != std::string::npos) return json;
  const std::string database = "\"database\": {";
  const auto at = json.find(database);
  if (at == std::string::npos) return json;
  std::string edited = json;
  edited.insert(at + database.size(), "\"prepared_statements\": false, ");
  return edited;
}

std::string pluginConfigJson(const std::string& dsn, const std::string& policy_json,
                             int max_batch_recipients, const std::string& extra_members) {
  // The DSN holds no quote or backslash in tests; JSON-escape it anyway for safety.
  std::string escaped;
  for (char c : dsn) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  const bool unprepared = testUnprepared();
  return "{\n"
         "  \"database\": {\"dsn\": \"" +
         escaped +
         "\", \"pool_size\": 8,"
         " \"statement_timeout_ms\": 5000, \"rates_refresh_ms\": 200" +
         // CREDITGATE_TEST_UNPREPARED=1 runs the gate tests as behind a transaction-pooling proxy.
         (unprepared ? ", \"prepared_statements\": false" : "") +
         "},\n"
         "  \"limits\": {\"max_batch_recipients\": " +
         std::to_string(max_batch_recipients) +
         "},\n"
         "  \"policy\": " +
         policy_json + (extra_members.empty() ? "" : ",\n  " + extra_members) +
         // Many gates run in one test process: no metrics endpoint unless a test asks for one.
         (extra_members.find("\"metrics\"") == std::string::npos
              ? ",\n  \"metrics\": {\"listen\": \"\"}"
              : "") +
         "\n}\n";
}

}  // namespace creditgate::testing
