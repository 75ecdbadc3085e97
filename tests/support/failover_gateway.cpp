// Test helper process: one gateway under steady load while the ledger fails over (tests/ha).
// THREADS threads decide batches through the plugin core, in-process, until STOP_FILE exists:
// tenants f0..f9, 1 or 2 German recipients, batch ids unique per process, thread and counter. A
// verdict whose outcome the ledger did not give (ledger_unavailable, ledger_timeout,
// ledger_in_doubt, internal_error) is retried with the same batch id and content every 20 ms until
// it is definite, as a gateway that follows the verdict's advice does; even after STOP_FILE
// appears, so that every debit the ledger made is acknowledged. One line per event, flushed, times
// in ms since the epoch:
//   ack <tenant> <batch_id> <decision> <charged_micros> <replayed 0|1> <ms>
//   unknown <tenant> <batch_id> <reason> <ms> <detail>
//   failover_gateway CONFIG PROCESS_INDEX THREADS SEED STOP_FILE
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "credit_gate.hpp"
#include "fake_host.hpp"
#include "gate_factory.hpp"

namespace {

constexpr int kTenants = 10;

std::mutex g_out_mutex;

long long nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool outcomeUnknown(creditgate::api::Reason reason) {
  using creditgate::api::Reason;
  return reason == Reason::ledger_unavailable || reason == Reason::ledger_timeout ||
         reason == Reason::ledger_in_doubt || reason == Reason::internal_error;
}

void worker(creditgate::api::CreditGate& gate, int process, int thread, unsigned seed,
            const std::filesystem::path& stop_file) {
  std::mt19937 rng(seed * 7919u + static_cast<unsigned>(process) * 131u +
                   static_cast<unsigned>(thread));
  for (long i = 0; !std::filesystem::exists(stop_file); ++i) {
    const std::string tenant = "f" + std::to_string(rng() % kTenants);
    const std::string batch_id =
        "p" + std::to_string(process) + "-t" + std::to_string(thread) + "-b" + std::to_string(i);
    std::vector<std::string> recipients;
    const int count = 1 + static_cast<int>(rng() % 2);
    for (int k = 0; k < count; ++k) {
      // 8 digits, distinct per process (<= 8), thread (<= 9), batch and position.
      const long number =
          10000000L + process * 10000000L + thread * 1000000L + (i * 2 + k) % 1000000L;
      recipients.push_back("+49151" + std::to_string(number));
    }
    const std::vector<std::string_view> views(recipients.begin(), recipients.end());
    const creditgate::api::Batch batch{tenant,     batch_id,    "failover",
                                       "offer_v1", "marketing", views};
    for (;;) {
      const creditgate::api::Verdict v = gate.decide(batch);
      std::lock_guard lock(g_out_mutex);
      if (outcomeUnknown(v.reason)) {
        std::printf("unknown %s %s %s %lld %s\n", tenant.c_str(), batch_id.c_str(),
                    creditgate::api::reasonCode(v.reason), nowMs(), v.detail);
        std::fflush(stdout);
      } else {
        std::printf("ack %s %s %s %lld %d %lld\n", tenant.c_str(), batch_id.c_str(),
                    creditgate::api::decisionName(v.decision),
                    static_cast<long long>(v.charged_micros), v.replayed ? 1 : 0, nowMs());
        std::fflush(stdout);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: failover_gateway CONFIG PROCESS_INDEX THREADS SEED STOP_FILE\n";
    return 2;
  }
  const std::string config = argv[1];
  const int process = std::stoi(argv[2]);
  const int threads = std::stoi(argv[3]);
  const auto seed = static_cast<unsigned>(std::stoul(argv[4]));
  const std::filesystem::path stop_file = argv[5];
  if (process < 0 || process > 8 || threads < 1 || threads > 9) {
    std::cerr << "failover_gateway: PROCESS_INDEX 0..8, THREADS 1..9\n";
    return 2;
  }
  creditgate::testing::FakeHost host;
  std::string error;
  auto gate = creditgate::testing::createGate(config, host, error);
  if (!gate) {
    std::cerr << error << "\n";
    return 3;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back(
        [&gate, process, t, seed, &stop_file] { worker(*gate, process, t, seed, stop_file); });
  }
  for (auto& thread : pool) thread.join();
  std::printf("done %d\n", process);
  std::fflush(stdout);
  return 0;
}
