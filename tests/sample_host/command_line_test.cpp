// The command line an operator types: paced mode's --rate and --duration, each refused with the
// value quoted when it is not what the help says.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "command_line.hpp"

namespace sample_gateway::testing {
namespace {

using namespace std::chrono_literals;

CommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "sample_gateway");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return parseCommandLine(static_cast<int>(argv.size()), argv.data());
}

std::string refusal(const std::vector<std::string>& args) {
  try {
    parse(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(CommandLineTest, WithoutRateItIsOneShot) {
  CommandLine command = parse({"--config", "gateway.json", "a.json", "b.json"});
  EXPECT_FALSE(command.rate_per_second);
  EXPECT_EQ(command.campaign_files.size(), 2u);
}

TEST(CommandLineTest, RateAndDurationMakeItPaced) {
  CommandLine command =
      parse({"--config=gateway.json", "--rate", "20/s", "--duration=10m", "a.json"});
  EXPECT_EQ(command.rate_per_second, 20u);
  EXPECT_EQ(command.duration, 600s);
  EXPECT_EQ(command.config, "gateway.json");
}

TEST(CommandLineTest, RateTakesWholeBatchesPerSecondUpToTheMaximum) {
  EXPECT_EQ(parseRate("1/s"), 1u);
  EXPECT_EQ(parseRate("10000/s"), 10'000u);
  EXPECT_EQ(refusal({"--rate", "0/s"}), "--rate '0/s': must be at least 1/s");
  EXPECT_EQ(refusal({"--rate", "10001/s"}), "--rate '10001/s': at most 10000/s");
  EXPECT_EQ(refusal({"--rate", "18446744073709551616/s"}),
            "--rate '18446744073709551616/s': at most 10000/s");
  for (const char* bad : {"20", "20/m", "/s", "-5/s", "+5/s", " 5/s", "5.5/s", "5/s ", "5 /s"}) {
    EXPECT_EQ(refusal({"--rate", bad}),
              "--rate '" + std::string(bad) + "': expected batches per second as N/s, e.g. 20/s");
  }
  EXPECT_EQ(refusal({"--rate"}), "--rate needs a value like 20/s");
}

TEST(CommandLineTest, DurationTakesWholeSecondsMinutesOrHoursUpTo720Hours) {
  EXPECT_EQ(parseDuration("90s"), 90s);
  EXPECT_EQ(parseDuration("10m"), 600s);
  EXPECT_EQ(parseDuration("2h"), 7200s);
  EXPECT_EQ(parseDuration("720h"), 720h);
  EXPECT_EQ(refusal({"--rate", "1/s", "--duration", "0s"}), "--duration '0s': must be at least 1s");
  EXPECT_EQ(refusal({"--rate", "1/s", "--duration", "721h"}), "--duration '721h': at most 720h");
  EXPECT_EQ(refusal({"--rate", "1/s", "--duration", "43201m"}),
            "--duration '43201m': at most 720h");
  for (const char* bad : {"10", "10x", "h", "-1m", "1.5h", "1h30m", "10 s", ""}) {
    EXPECT_EQ(refusal({"--rate", "1/s", "--duration=" + std::string(bad)}),
              "--duration '" + std::string(bad) +
                  "': expected a whole number of seconds, minutes or hours, e.g. 90s, 10m, 2h");
  }
}

TEST(CommandLineTest, DurationWithoutRateIsRefused) {
  EXPECT_EQ(refusal({"--config", "g.json", "--duration", "10m", "a.json"}),
            "--duration needs --rate: it ends paced mode");
}

TEST(CommandLineTest, OneShotArgumentsAreRefusedAsBefore) {
  EXPECT_EQ(refusal({"a.json"}), "--config is required");
  EXPECT_EQ(refusal({"--config", "g.json"}), "no campaign file given");
  EXPECT_EQ(refusal({"--config"}), "--config needs a file");
  EXPECT_EQ(refusal({"--config", "g.json", "--fast", "a.json"}), "unknown option --fast");
}

}  // namespace
}  // namespace sample_gateway::testing
