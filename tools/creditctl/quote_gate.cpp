#include "quote_gate.hpp"

#include <chrono>
#include <iostream>
#include <variant>

#include "admin_database.hpp"
#include "arguments.hpp"
#include "config.hpp"
#include "credit_gate.hpp"
#include "csv_reader.hpp"  // InputFileError

namespace creditgate::ctl {

void StderrHost::log(api::LogLevel level, std::string_view message) noexcept {
  if (level < api::LogLevel::warning) return;  // rate-refresh chatter is the gateway log's business
  try {
    std::cerr << "creditctl: plugin " << (level == api::LogLevel::error ? "error" : "warning")
              << ": " << message << '\n';
  } catch (...) {
  }
}

bool StderrHost::notify(const api::Notification&) noexcept {
  return false;
}

std::int64_t StderrHost::nowUnixMicros() noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

QuoteGate::QuoteGate(const std::string& config_path) {
  const std::string text = inputFileArgument(config_path);
  const auto parsed = parseConfig(text);
  if (const auto* problem = std::get_if<ConfigError>(&parsed)) {
    throw admin::InputFileError("plugin config " + ctl::quoted(config_path) + ": " +
                                problem->toString());
  }
  // Reachable first, with creditctl's care for the DSN: an outage is exit 3 and a clear message,
  // not a column of ledger_unavailable quotes.
  Database(std::get<Config>(parsed).startup.database_dsn).connection();

  api::PluginContext context;
  context.config_path = config_path;
  context.services = &host_;
  std::string error;
  gate_ = CreditGatePlugin::create(context, error, GateRole::quote_only);
  if (!gate_)
    throw admin::InputFileError("plugin config " + ctl::quoted(config_path) + ": " + error);
}

QuoteGate::~QuoteGate() = default;

}  // namespace creditgate::ctl
