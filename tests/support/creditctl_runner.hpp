// Test support: creditctl as an admin runs it, the real binary as a subprocess, with its exit code,
// stdout and stderr captured apart.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace creditgate::testing {

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
