// sample_gateway: a small messaging gateway that loads the creditgate plugin exactly as a real one
// would, and sends campaigns through it in batches from several sender threads.
//
// The only file that sees Boost.DLL (through plugin_loader.hpp): everything else knows host_api only.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "campaign.hpp"
#include "console_report.hpp"
#include "creditgate/plugin_loader.hpp"
#include "gateway_config.hpp"
#include "host_services.hpp"
#include "json_file.hpp"
#include "one_shot_mode.hpp"
#include "outreach_run.hpp"
#include "shutdown.hpp"
#include "stop_signals.hpp"

namespace {
namespace api = creditgate::api;
using namespace sample_gateway;

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;         // bad command line, gateway.json or campaign file
constexpr int kExitPluginLoad = 3;    // the plugin would not load, or is not binary compatible
constexpr int kExitInternalError = 4; // the plugin answered internal_error at least once
constexpr int kExitReportsNotAccepted = 5;  // outcomes the plugin never accepted (printed as errors)

constexpr std::string_view kUsage =
    "usage: sample_gateway --config GATEWAY.json CAMPAIGN.json [CAMPAIGN.json...]\n"
    "\n"
    "Loads the creditgate plugin named in GATEWAY.json and sends every campaign through it in\n"
    "batches: decide() before sending, report() of simulated delivery outcomes after.\n"
    "\n"
    "GATEWAY.json (relative paths resolve against its directory):\n"
    "  plugin                    path to creditgate_plugin.so (required)\n"
    "  plugin_config             path to the plugin's creditgate.json (required)\n"
    "  batch_size                recipients per batch, 1..10000 (default 50)\n"
    "  sender_threads            1..64 (default 4)\n"
    "  delivery_failure_percent  simulated undelivered messages, 0..100 (default 10)\n"
    "  notifications_file        JSON lines file for plugin notifications (default: stderr)\n"
    "\n"
    "exit status: 0 done (blocked batches included), 2 usage or input error,\n"
    "             3 plugin load or ABI failure, 4 the plugin reported internal_error,\n"
    "             5 reports the plugin never accepted (each printed as an error),\n"
    "             128+N stopped by signal N before every batch was sent, or a second signal N\n"
    "\n"
    "The first SIGINT or SIGTERM stops gracefully (no new batch; batches in flight and refused\n"
    "reports are finished; the summary printed); a second one exits at once.\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandLine {
  bool help = false;
  std::filesystem::path config;
  std::vector<std::filesystem::path> campaign_files;
};

CommandLine parseCommandLine(int argc, char** argv) {
  CommandLine command;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      command.help = true;
    } else if (arg == "--config") {
      if (i + 1 == argc) throw UsageError("--config needs a file");
      command.config = argv[++i];
    } else if (arg.starts_with("--config=")) {
      command.config = std::string(arg.substr(9));
    } else if (arg.starts_with("-") && arg != "-") {
      throw UsageError("unknown option " + std::string(arg));
    } else {
      command.campaign_files.emplace_back(arg);
    }
  }
  if (command.help) return command;
  if (command.config.empty()) throw UsageError("--config is required");
  if (command.campaign_files.empty()) throw UsageError("no campaign file given");
  return command;
}

std::vector<Campaign> loadCampaigns(const std::vector<std::filesystem::path>& files) {
  std::vector<Campaign> campaigns;
  for (const auto& file : files) {
    for (Campaign& campaign : loadCampaignFile(file)) campaigns.push_back(std::move(campaign));
  }
  return campaigns;
}

// `interrupted_by`: the signal that stopped the run before every batch was sent, or 0.
int exitStatus(const OutreachRun::End& end, int interrupted_by) {
  if (end.reports_not_accepted > 0) return kExitReportsNotAccepted;  // money owed: said first
  if (interrupted_by != 0) return 128 + interrupted_by;
  return end.internal_error ? kExitInternalError : kExitOk;
}

// Detaches the run from the stop signals before the run is destroyed, however the scope ends.
struct AttachedRun {
  AttachedRun(StopSignals& signals, OutreachRun& run) : signals(signals) { signals.attach(&run); }
  ~AttachedRun() { signals.attach(nullptr); }
  StopSignals& signals;
};

int run(const CommandLine& command) {
  GatewayConfig config;
  std::vector<Campaign> campaigns;
  try {
    config = loadGatewayConfig(command.config);
    campaigns = loadCampaigns(command.campaign_files);
  } catch (const std::exception& e) {
    std::cerr << "sample_gateway: " << e.what() << '\n';
    return kExitUsage;
  }
  std::vector<OutreachBatch> batches = planBatches(campaigns, config.batch_size);

  Shutdown shutdown;
  StopSignals signals(shutdown);  // from here on, a signal stops the gateway gracefully
  // Declared before the gate: the plugin may call the services until the gate is destroyed.
  GatewayServices services(config.notifications_file);
  std::string plugin_config = config.plugin_config.string();
  std::string error;
  std::shared_ptr<api::CreditGate> gate = api::loadCreditGate(
      config.plugin, api::PluginContext{.config_path = plugin_config, .services = &services}, error);
  if (!gate) {
    std::cerr << "sample_gateway: " << error << '\n';
    return kExitPluginLoad;
  }

  OutreachRun run(*gate, config, shutdown, fitColumns(batches), OutreachRun::BatchLines::every);
  AttachedRun attached(signals, run);
  std::size_t sent = sendOnce(run, batches, config.sender_threads, shutdown);
  OutreachRun::End end = run.finish();
  std::string summary = "\n" + run.tenantSummary();
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  return exitStatus(end, sent < batches.size() ? signals.firstSignal() : 0);
}

}  // namespace

int main(int argc, char** argv) {
  StopSignals::block();  // before any thread exists, the plugin's included
  CommandLine command;
  try {
    command = parseCommandLine(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "sample_gateway: " << e.what() << "\n" << kUsage.substr(0, kUsage.find('\n') + 1)
              << "run 'sample_gateway --help' for more\n";
    return kExitUsage;
  }
  if (command.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  return run(command);
}
