// The plugin's own credit gate, built in-process by creditctl quote, so a quote prices exactly as
// the gateway would: same core, same config file, same database (the config's DSN).
#pragma once

#include <memory>
#include <string>

#include "creditgate/host_api.hpp"

namespace creditgate::ctl {

// What creditctl lends the gate: plugin warnings and errors go to stderr; notify() refuses (a
// quote-only gate never relays); the real clock.
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
  // is never shown), and creates a quote-only gate (GateRole::quote_only) from it: it never listens
  // on metrics.listen, relays the outbox, opens the outage journal or watches the file, so it runs
  // beside a gateway on the same config without taking its port, its journal or its events.
  explicit QuoteGate(const std::string& config_path);
  ~QuoteGate();
  QuoteGate(const QuoteGate&) = delete;
  QuoteGate& operator=(const QuoteGate&) = delete;

  api::Quote quote(const api::Batch& batch) { return gate_->quote(batch); }

 private:
  StderrHost host_;  // outlives gate_
  std::unique_ptr<api::CreditGate> gate_;
};

}  // namespace creditgate::ctl
