// Test support: what a gateway lends the plugin (HostServices), recording what the plugin says, and
// plugin config files written for a test database.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "creditgate/host_api.hpp"

namespace creditgate::testing {

class FakeHost final : public api::HostServices {
 public:
  void log(api::LogLevel level, std::string_view message) noexcept override;
  bool notify(const api::Notification& notification) noexcept override;
  std::int64_t nowUnixMicros() noexcept override;

  struct Notified {
    std::string event_id, tenant_id, type, contact, payload_json;
  };
  std::vector<Notified> notified() const;
  std::atomic<bool> notify_fails{false};  // the host's notifier is down

  std::vector<std::string> logs() const;
  bool logged(std::string_view needle) const;  // any log line contains needle

  // 0: the real clock.
  std::atomic<std::int64_t> fixed_now_micros{0};

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> logs_;
  std::vector<Notified> notified_;
};

// Writes `json` to a fresh file in a temporary directory and returns its path.
std::filesystem::path writeTempFile(const std::string& name, const std::string& json);

// A plugin config for `dsn` with the given "policy" object (JSON text) and limits.
// `extra_members`: more top-level members, e.g. "\"notifications\": {...}" (no leading comma).
// CREDITGATE_TEST_UNPREPARED=1: the tests run the plugin (and the server's key store) as behind a
// transaction-pooling proxy, with prepared statements off (tests/pgbouncer/run.sh).
bool testUnprepared();
// A whole plugin config's text with "prepared_statements": false put first into its "database"
// object when testUnprepared() and the text does not name the key already; else unchanged.
std::string withTestPreparedStatements(const std::string& json);

std::string pluginConfigJson(const std::string& dsn, const std::string& policy_json,
                             int max_batch_recipients = 1000, const std::string& extra_members = "");

}  // namespace creditgate::testing
