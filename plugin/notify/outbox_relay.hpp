// Delivers the notification outbox to the host: a background thread claims due events (safe with
// many gateway instances on one database), calls HostServices::notify() once per contact with the
// event's stable id, marks the event sent, or failed with exponential backoff. Never on the
// decision path: a slow or failing notifier cannot delay a verdict.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "creditgate/host_api.hpp"
#include "gate_metrics.hpp"
#include "outbox.hpp"
#include "periodic_thread.hpp"

namespace creditgate {

struct RelayOptions {
  std::chrono::milliseconds poll{1000};
  int batch_size = 50;
  std::chrono::milliseconds lease{30000};         // a claimed event is ours this long
  std::chrono::milliseconds max_backoff{300000};  // retries: 1 s, 2 s, 4 s ... up to this
  std::chrono::milliseconds deadline{2000};       // per database call
};

class OutboxRelay {
 public:
  OutboxRelay(Outbox& outbox, api::HostServices& services, GateMetrics& metrics,
              RelayOptions options);
  ~OutboxRelay();  // stops the thread, then delivers what is due once more
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Claims and delivers one round of due events now; returns how many were delivered.
  int deliverDue();

  std::uint64_t delivered() const noexcept { return delivered_.load(); }
  std::uint64_t failed() const noexcept { return failed_.load(); }

 private:
  bool deliver(const ClaimedEvent& event);

  Outbox& outbox_;
  api::HostServices& services_;
  GateMetrics& metrics_;
  const RelayOptions options_;
  const std::string relay_id_;  // names this relay's leases in the outbox
  std::mutex round_mutex_;      // one round at a time: the thread's, or deliverDue()'s
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::unique_ptr<PeriodicThread> thread_;  // reset first in the destructor
};

}  // namespace creditgate
