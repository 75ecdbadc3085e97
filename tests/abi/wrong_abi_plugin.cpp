// A plugin built against a different host API: its stamp claims API version 999 and another
// compiler. A correct host refuses it before calling anything; the factory aborts to prove that.
#include <boost/dll/alias.hpp>

#include <cstdlib>
#include <cstring>

#include "creditgate/abi_stamp.hpp"

namespace {
creditgate::api::AbiStamp wrongStamp() {
  creditgate::api::AbiStamp stamp = creditgate::api::makeAbiStamp();
  stamp.api_version = 999;
  std::strcpy(stamp.compiler, "gcc 0.0.0-other");
  return stamp;
}
}  // namespace

extern "C" BOOST_SYMBOL_EXPORT const creditgate::api::AbiStamp creditgate_abi_stamp = wrongStamp();

namespace wrong {
std::unique_ptr<creditgate::api::CreditGate> createGate(const creditgate::api::PluginContext&,
                                                        std::string&) {
  std::abort();  // never reached: the host must refuse the stamp first
}
}  // namespace wrong

BOOST_DLL_ALIAS(wrong::createGate, creditgate_create_gate)
