// Test support: creditctl as an admin runs it, the real binary as a subprocess, with its exit code,
// stdout and stderr captured apart.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace creditgate::testing {

// A password no output may ever show, in a DSN that reaches no database: creditctl must fail
// with exit 3 and never print it.
inline constexpr const char* kSentinel = "s3cr3t-sentinel";
inline const std::string kUnreachableDsn =
    "host=127.0.0.1 port=1 dbname=creditgate user=ops connect_timeout=5 password=" +
    std::string(kSentinel);
// The test logins' password (tests/support/test_database.cpp): no output may show it either.
inline constexpr const char* kLoginPassword = "test-only-password";

struct CtlResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the built creditctl with `args` (each passed as one word). The DSN comes from
// CREDITGATE_ADMIN_DSN = `env_dsn`, unset when nullopt, so argument lists read as an admin types
// them.
CtlResult runCreditctl(const std::vector<std::string>& args,
                       const std::optional<std::string>& env_dsn);

}  // namespace creditgate::testing
