// Delivers the notification outbox (sql/023): each event to each of its tenant's channels, email,
// webhook or the host's notify(). A dispatcher thread claims due deliveries with a lease (safe with
// many gateway instances on one database: none is delivered by two relays at once) only as fast as
// workers are free, and `concurrency` workers send them, each with its own SMTP and HTTP handles
// and per-request timeouts. The ledger hands out at most one delivery per channel at a time, so a
// slow endpoint ties up one worker while the others serve other tenants. Never on the decision
// path.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "channel_sender.hpp"
#include "creditgate/host_api.hpp"
#include "gate_metrics.hpp"
#include "outbox.hpp"

namespace creditgate {

struct RelayOptions {
  std::chrono::milliseconds poll{1000};              // how often to look when nothing was due
  int batch_size = 50;                               // claimed at most per round
  int concurrency = 4;                               // worker threads
  std::chrono::milliseconds max_backoff{3600000};    // retries: 1 s, 2 s, 4 s ... up to this
  std::chrono::milliseconds retry_period{86400000};  // from the event; then failed
  std::chrono::milliseconds deadline{2000};          // per database call
  DeliverySettings delivery;
};

class OutboxRelay {
 public:
  OutboxRelay(Outbox& outbox, api::HostServices& services, GateMetrics& metrics,
              RelayOptions options);
  // Stops claiming, lets in-flight deliveries finish (each within its timeout), then sends what is
  // due now, for up to 5 s (handOverDue).
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Claims one round of due deliveries now and sends them on the calling thread; returns how many
  // were delivered. For tests and tools; the workers do the same in the background.
  int deliverDue();

  std::uint64_t delivered() const noexcept { return delivered_.load(); }
  std::uint64_t failed() const noexcept { return failed_.load(); }

  // The lease a claim takes: longer than any one send can last, so a live relay never loses a
  // delivery it is still sending to another relay.
  static std::chrono::milliseconds leaseFor(const DeliverySettings& delivery);

 private:
  void dispatch();
  void work();
  void handOverDue();
  // Sends, records the outcome in the ledger, counts and logs it; true if delivered.
  bool deliver(ChannelSender& sender, const ClaimedDelivery& delivery);
  Database::Deadline deadline() const { return Database::Clock::now() + options_.deadline; }

  Outbox& outbox_;
  api::HostServices& services_;
  GateMetrics& metrics_;
  const RelayOptions options_;
  const std::string relay_id_;  // names this relay's leases in the ledger
  const std::chrono::milliseconds lease_;
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};

  std::mutex mutex_;
  std::condition_variable changed_;  // work queued, a worker free, or stopping
  std::deque<ClaimedDelivery> queue_;
  int idle_workers_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // the dispatcher, then the workers; joined first
};

}  // namespace creditgate
