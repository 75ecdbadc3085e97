// The plugin's own credit gate, built in-process by creditctl quote, so a quote prices exactly as
// the gateway would: same core, same config file, same database (the config's DSN).
#pragma once

#include <memory>
#include <string>

#include "creditgate/host_api.hpp"

namespace creditgate::ctl {

// What creditctl lends the gate: plugin warnings and errors go to stderr; notify() refuses (the
// relay is off anyway, see QuoteGate); the real clock.
class StderrHost final : public api::HostServices {
 public:
  void log(api::LogLevel level, std::string_view message) noexcept override;
  bool notify(const api::Notification& notification) noexcept override;
  std::int64_t nowUnixMicros() noexcept override;
};

class QuoteGate {
 public:
  // Reads the plugin config at `config_path` (InputFileError when unreadable or invalid, with the
  // plugin's own message), checks that its database answers (DatabaseUnreachable otherwise; the DSN
  // is never shown), and creates the gate from a private copy of the config with
  // notifications.relay.enabled = false: a relaying gate would claim the outbox's due events, hand
  // them to a notify() that cannot deliver, and push them into backoff.
  explicit QuoteGate(const std::string& config_path);
  ~QuoteGate();
  QuoteGate(const QuoteGate&) = delete;
  QuoteGate& operator=(const QuoteGate&) = delete;

  api::Quote quote(const api::Batch& batch) { return gate_->quote(batch); }

 private:
  StderrHost host_;  // outlives gate_
  std::unique_ptr<api::CreditGate> gate_;
};

// The config text with notifications.relay.enabled set to false, everything else as written
// (numbers keep their literal text). `json_text` must be valid JSON (parseConfig accepted it).
std::string withRelayDisabled(std::string_view json_text);

}  // namespace creditgate::ctl
