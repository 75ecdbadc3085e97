// The plugin's shared library: a thin shell over creditgate_core. It exports exactly two symbols,
// the ABI stamp the host checks first and the factory; everything else is hidden.
#include <boost/dll/alias.hpp>

#include <exception>
#include <memory>
#include <string>

#include "credit_gate.hpp"
#include "creditgate/abi_stamp.hpp"

extern "C" BOOST_SYMBOL_EXPORT const creditgate::api::AbiStamp creditgate_abi_stamp =
    creditgate::api::makeAbiStamp();

namespace creditgate::plugin {

std::unique_ptr<api::CreditGate> createGate(const api::PluginContext& context, std::string& error) {
  try {
    return CreditGatePlugin::create(context, error);
  } catch (const std::exception& e) {  // nothing may escape across the boundary
    error = std::string("creditgate: cannot start: ") + e.what();
  } catch (...) {
    error = "creditgate: cannot start: unknown error";
  }
  return nullptr;
}

}  // namespace creditgate::plugin

BOOST_DLL_ALIAS(creditgate::plugin::createGate, creditgate_create_gate)
