// sample_gateway: a small messaging gateway that loads the creditgate plugin exactly as a real one
// would, and sends campaigns through it in batches from several sender threads: each batch once
// (one-shot), or round after round at a set pace until stopped (paced mode, --rate).
//
// The only file that sees Boost.DLL (through plugin_loader.hpp): everything else knows host_api only.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "campaign.hpp"
#include "command_line.hpp"
#include "console_report.hpp"
#include "creditgate/plugin_loader.hpp"
#include "gateway_config.hpp"
#include "host_services.hpp"
#include "one_shot_mode.hpp"
#include "outreach_run.hpp"
#include "paced_mode.hpp"
#include "shutdown.hpp"
#include "stop_signals.hpp"

namespace {
namespace api = creditgate::api;
using namespace sample_gateway;

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;               // bad command line, gateway.json or campaign file
constexpr int kExitPluginLoad = 3;          // the plugin would not load, or is not binary compatible
constexpr int kExitInternalError = 4;       // the plugin answered internal_error at least once
constexpr int kExitReportsNotAccepted = 5;  // outcomes the plugin never accepted (printed as errors)

std::vector<Campaign> loadCampaigns(const std::vector<std::filesystem::path>& files) {
  std::vector<Campaign> campaigns;
  for (const auto& file : files) {
    for (Campaign& campaign : loadCampaignFile(file)) campaigns.push_back(std::move(campaign));
  }
  return campaigns;
}

// `interrupted_by`: the signal that stopped a one-shot run before every batch was sent, or 0.
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
  const std::vector<OutreachBatch> batches = planBatches(campaigns, config.batch_size);
  const bool paced = command.rate_per_second.has_value();

  Shutdown shutdown;
  StopSignals signals(shutdown);  // from here on, a signal stops the gateway gracefully
  // Declared before the gate: the plugin may call the services until the gate is destroyed.
  creditgate::host_kit::LoggingHostServices services(config.notifications_file);
  std::string plugin_config = config.plugin_config.string();
  std::string error;
  std::shared_ptr<api::CreditGate> gate = api::loadCreditGate(
      config.plugin, api::PluginContext{.config_path = plugin_config, .services = &services}, error);
  if (!gate) {
    std::cerr << "sample_gateway: " << error << '\n';
    return kExitPluginLoad;
  }

  BatchColumns columns = fitColumns(batches);
  if (paced) columns.batch_id += 6;  // "-r" and a round number
  OutreachRun run(*gate, config, shutdown, columns,
                  paced ? OutreachRun::BatchLines::unusual : OutreachRun::BatchLines::every);
  AttachedRun attached(signals, run);

  std::size_t sent = 0;
  std::uint64_t rounds = 1;
  const auto started = std::chrono::steady_clock::now();
  if (paced) {
    const Pace pace{*command.rate_per_second, command.duration, config.sender_threads,
                    config.status_interval};
    rounds = sendPaced(run, batches, pace, shutdown);
  } else {
    sent = sendOnce(run, batches, config.sender_threads, shutdown);
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  const OutreachRun::End end = run.finish();

  std::string summary = "\n" + run.tenantSummary();
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  const RunTotals totals = run.totals();
  // One-shot output stays as it always was unless the ledger failed to answer somewhere.
  if (paced || totals.ledgerFailedToAnswer()) {
    run.print("totals elapsed_ms=" + std::to_string(elapsed.count()) +
              " rounds=" + std::to_string(rounds) + " " + totals.fields(0));
  }
  return exitStatus(end, !paced && sent < batches.size() ? signals.firstSignal() : 0);
}

}  // namespace

int main(int argc, char** argv) {
  StopSignals::block();  // before any thread exists, the plugin's included
  CommandLine command;
  try {
    command = parseCommandLine(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "sample_gateway: " << e.what() << "\n"
              << kUsage.substr(0, kUsage.find("\n\n") + 1) << "run 'sample_gateway --help' for more\n";
    return kExitUsage;
  }
  if (command.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  return run(command);
}
