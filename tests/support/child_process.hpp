// Test support: a helper process (the server, a notification receiver) started with fork + exec
// that dies with the test process (PR_SET_PDEATHSIG), so a test that crashes leaves no child
// holding a port or a database.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace creditgate::testing {

// Forks; the child asks for SIGKILL when its parent dies, runs `redirect` (to point its standard
// streams elsewhere: open, dup2 and the like only, as in any child of a threaded process), then
// execvp's `args`. When the exec fails the child writes "cannot run <args[0]>" to its stderr and
// exits with 127. Throws when fork fails; returns the child's pid.
pid_t spawnChild(const std::vector<std::string>& args, const std::function<void()>& redirect);

}  // namespace creditgate::testing
