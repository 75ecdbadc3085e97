// The ABI version is bound to the contract's text (like Envoy's dynamic-module ABI hash): changing
// host_api.hpp or abi_stamp.hpp without bumping the API version (the minor version) and the
// fingerprint fails here.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "creditgate/api_version.hpp"
#include "fnv1a.hpp"

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ApiFingerprintTest, ContractHeadersMatchTheRecordedFingerprintOfThisApiVersion) {
  const std::string dir = std::string(CREDITGATE_SOURCE_DIR) + "/host_api/creditgate/";
  const std::string contract = readFile(dir + "host_api.hpp") + readFile(dir + "abi_stamp.hpp");
  ASSERT_FALSE(contract.empty());
  const std::uint64_t actual = creditgate::fnv1a(contract);
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%016llxULL", static_cast<unsigned long long>(actual));
  EXPECT_EQ(actual, creditgate::api::kApiFingerprint)
      << "The host API changed. Bump the minor version in CMakeLists.txt project() (it is "
         "kApiVersion) and set "
         "kApiFingerprint = "
      << hex;
}

}  // namespace
