// Test support: the plugin core's gate, created in-process from a config file as the .so's factory
// would; null with `error` set when the factory refuses.
#pragma once

#include <memory>
#include <string>

#include "credit_gate.hpp"

namespace creditgate::testing {

inline std::unique_ptr<api::CreditGate> createGate(const std::string& config_path,
                                                   api::HostServices& host, std::string& error) {
  api::PluginContext context;
  context.config_path = config_path;  // viewed during the call only
  context.services = &host;
  return CreditGatePlugin::create(context, error);
}

}  // namespace creditgate::testing
