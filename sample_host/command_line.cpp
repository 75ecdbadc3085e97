#include "command_line.hpp"

#include <charconv>
#include <cstdint>
#include <string>

namespace sample_gateway {

const std::string_view kUsage =
    "usage: sample_gateway --config GATEWAY.json CAMPAIGN.json [CAMPAIGN.json...]\n"
    "       sample_gateway --config GATEWAY.json --rate N/s [--duration D] CAMPAIGN.json...\n"
    "\n"
    "Loads the creditgate plugin named in GATEWAY.json and sends the campaigns through it in\n"
    "batches, from several sender threads: decide() before sending, report() of simulated\n"
    "delivery outcomes after.\n"
    "\n"
    "One-shot (default): every batch once, under ids that stay the same from run to run\n"
    "(<campaign id>-0001, ...), so sending the same campaigns again replays them and moves no\n"
    "money. A line per batch, then a summary per tenant.\n"
    "\n"
    "Paced (--rate): the campaigns' batches round after round, until --duration is over or a\n"
    "signal stops it, for watching the plugin in Grafana. Each round sends under fresh ids\n"
    "(<batch id>-r<round>): the same ids would only replay the first round, with no decision made\n"
    "and no money moved. A restarted run begins again at round 1, so its first rounds replay the\n"
    "previous run's. A status line every status_interval_s, a line for each batch that needed a\n"
    "retry or a re-sent report, and the totals at the end (logfmt: key=value).\n"
    "  --rate N/s      batches per second over all sender threads, 1..10000, e.g. 20/s\n"
    "  --duration D    stop after D, a whole number of s, m or h: 90s, 10m, 2h (at most 720h);\n"
    "                  without it, run until SIGINT/SIGTERM\n"
    "\n"
    "Stopping: the first SIGINT or SIGTERM stops gracefully (no new batch; batches in flight and\n"
    "refused reports are finished; totals printed); a second one exits at once.\n"
    "\n"
    "When the ledger does not answer: a decide() blocked with ledger_in_doubt, ledger_unavailable\n"
    "or ledger_timeout is asked again with the same batch id and content, and only the final\n"
    "verdict is sent (decide_retry); a report() not ok is re-sent in the background until "
    "accepted\n"
    "(report_retry). A stop cuts short only the retries of batches that owe nothing.\n"
    "\n"
    "GATEWAY.json (relative paths resolve against its directory):\n"
    "  plugin                    path to creditgate_plugin.so (required)\n"
    "  plugin_config             path to the plugin's creditgate.json (required)\n"
    "  batch_size                recipients per batch, 1..10000 (default 50)\n"
    "  sender_threads            1..64 (default 4)\n"
    "  delivery_failure_percent  simulated undelivered messages, 0..100 (default 10)\n"
    "  notifications_file        JSON lines file for plugin notifications (default: stderr)\n"
    "  decide_retry              {\"first_delay_ms\": 200, \"max_delay_ms\": 5000,\n"
    "                             \"give_up_after_s\": 120}: delays double from the first to the\n"
    "                            max; no retry starts later than give_up_after_s (0: never retry)\n"
    "  report_retry              the same keys and defaults, for re-sent reports\n"
    "  status_interval_s         seconds between paced mode's status lines, 1..3600 (default 10)\n"
    "\n"
    "exit status: 0 done (blocked batches included; paced: also when stopped by a signal),\n"
    "             2 usage or input error, 3 plugin load or ABI failure,\n"
    "             4 the plugin reported internal_error,\n"
    "             5 reports the plugin never accepted (each printed as an error),\n"
    "             128+N one-shot stopped by signal N before every batch was sent, or a second\n"
    "             signal N\n";

namespace {

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// Digits only: no sign, no space, no decimal point. nullopt when not a number; UINT64_MAX when
// too large for one (the callers' ranges are far below it).
std::optional<std::uint64_t> wholeNumber(std::string_view digits) {
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) return UINT64_MAX;
  return value;
}

// The value of an option given as "--name VALUE" or "--name=VALUE"; `what` names it when missing.
std::string_view optionValue(std::string_view name, const char* what, int argc, char** argv,
                             int& i) {
  std::string_view arg = argv[i];
  if (arg.size() > name.size() && arg[name.size()] == '=') return arg.substr(name.size() + 1);
  if (i + 1 == argc) throw UsageError(std::string(name) + " needs " + what);
  return argv[++i];
}

bool isOption(std::string_view arg, std::string_view name) {
  return arg == name ||
         (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=');
}

}  // namespace

unsigned parseRate(std::string_view text) {
  const std::string shown = "--rate " + quoted(text);
  std::optional<std::uint64_t> per_second;
  if (text.ends_with("/s")) per_second = wholeNumber(text.substr(0, text.size() - 2));
  if (!per_second) {
    throw UsageError(shown + ": expected batches per second as N/s, e.g. 20/s");
  }
  if (*per_second == 0) throw UsageError(shown + ": must be at least 1/s");
  if (*per_second > kMaxRatePerSecond) {
    throw UsageError(shown + ": at most " + std::to_string(kMaxRatePerSecond) + "/s");
  }
  return static_cast<unsigned>(*per_second);
}

std::chrono::seconds parseDuration(std::string_view text) {
  const std::string shown = "--duration " + quoted(text);
  std::optional<std::uint64_t> count;
  std::uint64_t unit_seconds = 0;
  if (!text.empty()) {
    switch (text.back()) {
      case 's': unit_seconds = 1; break;
      case 'm': unit_seconds = 60; break;
      case 'h': unit_seconds = 3600; break;
    }
    if (unit_seconds != 0) count = wholeNumber(text.substr(0, text.size() - 1));
  }
  if (!count) {
    throw UsageError(shown +
                     ": expected a whole number of seconds, minutes or hours, e.g. 90s, "
                     "10m, 2h");
  }
  if (*count == 0) throw UsageError(shown + ": must be at least 1s");
  const std::uint64_t max_seconds = std::chrono::seconds(kMaxDuration).count();
  if (*count > max_seconds / unit_seconds) {
    throw UsageError(shown + ": at most " + std::to_string(kMaxDuration.count()) + "h");
  }
  return std::chrono::seconds(*count * unit_seconds);
}

CommandLine parseCommandLine(int argc, char** argv) {
  CommandLine command;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      command.help = true;
    } else if (isOption(arg, "--config")) {
      std::string_view value = optionValue("--config", "a file", argc, argv, i);
      if (value.empty()) throw UsageError("--config needs a file");
      command.config = std::string(value);
    } else if (isOption(arg, "--rate")) {
      command.rate_per_second =
          parseRate(optionValue("--rate", "a value like 20/s", argc, argv, i));
    } else if (isOption(arg, "--duration")) {
      command.duration =
          parseDuration(optionValue("--duration", "a value like 10m", argc, argv, i));
    } else if (arg.starts_with("-") && arg != "-") {
      throw UsageError("unknown option " + std::string(arg));
    } else {
      command.campaign_files.emplace_back(arg);
    }
  }
  if (command.help) return command;
  if (command.duration && !command.rate_per_second) {
    throw UsageError("--duration needs --rate: it ends paced mode");
  }
  if (command.config.empty()) throw UsageError("--config is required");
  if (command.campaign_files.empty()) throw UsageError("no campaign file given");
  return command;
}

}  // namespace sample_gateway
