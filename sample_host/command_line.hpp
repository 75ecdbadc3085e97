// The gateway's command line: its two modes, their options, and the help text.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace sample_gateway {

// A bad command line; what() names the option and quotes the value. Exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The fastest pace accepted: well above what one gateway process asks of a ledger, low enough that
// a typo (20000 for 200) is caught.
inline constexpr unsigned kMaxRatePerSecond = 10'000;
inline constexpr std::chrono::hours kMaxDuration{720};  // 30 days

struct CommandLine {
  bool help = false;
  std::filesystem::path config;
  std::vector<std::filesystem::path> campaign_files;
  std::optional<unsigned> rate_per_second;       // set: paced mode
  std::optional<std::chrono::seconds> duration;  // paced mode only; unset: until stopped
};

// Throws UsageError.
CommandLine parseCommandLine(int argc, char** argv);

// "20/s" -> 20: a whole number from 1 to kMaxRatePerSecond, per second. Throws UsageError.
unsigned parseRate(std::string_view text);
// "90s", "10m", "2h": a whole number, at least 1s, at most kMaxDuration. Throws UsageError.
std::chrono::seconds parseDuration(std::string_view text);

extern const std::string_view kUsage;

}  // namespace sample_gateway
