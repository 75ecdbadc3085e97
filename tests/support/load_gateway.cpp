// Test helper process: one gateway under load, for the multi-process test (several of these run at
// once against one ledger). THREADS threads each decide BATCHES batches through the plugin core,
// in-process: tenants t00..t19, the hot tenant t00 gets half of them; 1 to 3 German recipients; the
// batch id is unique per process, thread and counter. Every 10th batch is sent again (same id, same
// content) right after: by the same thread, or (every other time) by whichever thread picks it up
// from a shared queue first. Every verdict is printed as one line, flushed, as it is acknowledged:
//   ack <tenant> <batch_id> <decision> <charged_micros> <replayed 0|1>
// and, for a verdict that says the ledger's outcome is unknown (unavailable, timeout, internal):
//   error <tenant> <batch_id> <reason> <detail>
//   load_gateway CONFIG PROCESS_INDEX THREADS BATCHES SEED
#include <cstdio>
#include <deque>
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

constexpr int kTenants = 20;

struct LoadBatch {
  std::string tenant_id;
  std::string batch_id;
  std::vector<std::string> recipients;
};

std::mutex g_out_mutex;
std::mutex g_retry_mutex;
std::deque<LoadBatch> g_retries;  // sent once, to be sent again by whichever thread takes it

std::string tenantName(int index) {
  return std::string("t") + (index < 10 ? "0" : "") + std::to_string(index);
}

void send(creditgate::api::CreditGate& gate, const LoadBatch& b) {
  const std::vector<std::string_view> views(b.recipients.begin(), b.recipients.end());
  const creditgate::api::Batch batch{b.tenant_id, b.batch_id, "load", "offer_v1", "marketing", views};
  const creditgate::api::Verdict v = gate.decide(batch);
  std::lock_guard lock(g_out_mutex);
  std::printf("ack %s %s %s %lld %d\n", b.tenant_id.c_str(), b.batch_id.c_str(),
              creditgate::api::decisionName(v.decision), static_cast<long long>(v.charged_micros),
              v.replayed ? 1 : 0);
  using creditgate::api::Reason;
  if (v.reason == Reason::ledger_unavailable || v.reason == Reason::ledger_timeout ||
      v.reason == Reason::internal_error) {
    std::printf("error %s %s %s %s\n", b.tenant_id.c_str(), b.batch_id.c_str(),
                creditgate::api::reasonCode(v.reason), v.detail);
  }
  std::fflush(stdout);
}

bool takeRetry(LoadBatch& out) {
  std::lock_guard lock(g_retry_mutex);
  if (g_retries.empty()) return false;
  out = std::move(g_retries.front());
  g_retries.pop_front();
  return true;
}

void worker(creditgate::api::CreditGate& gate, int process, int thread, int batches,
            unsigned seed) {
  std::mt19937 rng(seed * 7919u + static_cast<unsigned>(process) * 131u +
                   static_cast<unsigned>(thread));
  for (int i = 0; i < batches; ++i) {
    LoadBatch retry;
    if (takeRetry(retry)) send(gate, retry);  // another thread's 10th batch, again

    LoadBatch b;
    b.tenant_id = rng() % 2 == 0 ? tenantName(0) : tenantName(1 + static_cast<int>(rng() % (kTenants - 1)));
    b.batch_id = "p" + std::to_string(process) + "-t" + std::to_string(thread) + "-b" + std::to_string(i);
    const int recipients = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < recipients; ++k) {
      // 8 digits, distinct per process, thread, batch and position (PROCESS_INDEX <= 8, THREADS <= 9).
      const long number = 10000000L + process * 10000000L + thread * 1000000L + i * 3L + k;
      b.recipients.push_back("+49151" + std::to_string(number));
    }
    send(gate, b);
    if (i % 10 == 9) {
      if ((i / 10) % 2 == 0) {
        send(gate, b);  // the same thread retries at once
      } else {
        std::lock_guard lock(g_retry_mutex);
        g_retries.push_back(std::move(b));
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: load_gateway CONFIG PROCESS_INDEX THREADS BATCHES SEED\n";
    return 2;
  }
  const std::string config = argv[1];
  const int process = std::stoi(argv[2]);
  const int threads = std::stoi(argv[3]);
  const int batches = std::stoi(argv[4]);
  const auto seed = static_cast<unsigned>(std::stoul(argv[5]));
  if (process < 0 || process > 8 || threads < 1 || threads > 9 || batches < 1 || batches > 300000) {
    std::cerr << "load_gateway: PROCESS_INDEX 0..8, THREADS 1..9, BATCHES 1..300000\n";
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
    pool.emplace_back([&gate, process, t, batches, seed] { worker(*gate, process, t, batches, seed); });
  }
  for (auto& thread : pool) thread.join();
  LoadBatch left;
  while (takeRetry(left)) send(*gate, left);  // queued retries nobody picked up before the end
  std::printf("done %d\n", process);
  std::fflush(stdout);
  return 0;
}
