// Host side: loads a credit plugin with Boost.DLL, checks its ABI stamp before anything else, and
// creates its CreditGate. Header-only so a gateway needs nothing but this directory and Boost.
//
// Lifetime: the returned shared_ptr's deleter owns the shared_library, so the library stays loaded
// until the gate (the only object the plugin hands out) is destroyed. Copy the shared_ptr freely.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <boost/dll/import.hpp>

#include <exception>
#include <filesystem>
#include <memory>
#include <string>

#include "creditgate/abi_stamp.hpp"
#include "creditgate/host_api.hpp"

namespace creditgate::api {

// Returns null and sets `error` when the library cannot be loaded, has no or a mismatched ABI stamp,
// or its factory refuses (e.g. a bad config). Never throws.
inline std::shared_ptr<CreditGate> loadCreditGate(const std::filesystem::path& library_path,
                                                  const PluginContext& context, std::string& error) {
  namespace dll = boost::dll;
  try {
    auto library = std::make_shared<dll::shared_library>(
        library_path, dll::load_mode::rtld_now | dll::load_mode::rtld_local);
    if (!library->has(kAbiStampSymbol)) {
      error = "plugin " + library_path.string() + " is not a creditgate plugin: it exports no " +
              kAbiStampSymbol;
      return nullptr;
    }
    const AbiStamp& plugin_stamp = library->get<const AbiStamp>(kAbiStampSymbol);
    constexpr AbiStamp host_stamp = makeAbiStamp();
    if (std::string mismatch = describeAbiMismatch(plugin_stamp, host_stamp); !mismatch.empty()) {
      error = "plugin " + library_path.string() + " is not binary compatible with this host: " +
              mismatch;
      return nullptr;
    }
    if (!library->has(kFactoryAlias)) {
      error = "plugin " + library_path.string() + " exports no factory " + kFactoryAlias;
      return nullptr;
    }
    auto& create = *library->get<CreateGateFn*>(kFactoryAlias);
    std::unique_ptr<CreditGate> gate = create(context, error);
    if (!gate) {
      if (error.empty()) error = "plugin factory refused without a reason";
      return nullptr;
    }
    // The deleter holds the library: the plugin's code stays mapped until the gate is gone.
    return std::shared_ptr<CreditGate>(gate.release(),
                                       [library](CreditGate* g) { delete g; });
  } catch (const std::exception& e) {
    error = "cannot load plugin " + library_path.string() + ": " + e.what();
    return nullptr;
  }
}

}  // namespace creditgate::api
