#include "outbox_relay.hpp"

#include <unistd.h>

#include <algorithm>
#include <random>

namespace creditgate {
namespace {

std::string makeRelayId() {
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(random());
}

}  // namespace

OutboxRelay::OutboxRelay(Outbox& outbox, api::HostServices& services, GateMetrics& metrics,
                         RelayOptions options)
    : outbox_(outbox),
      services_(services),
      metrics_(metrics),
      options_(options),
      relay_id_(makeRelayId()),
      thread_(std::make_unique<PeriodicThread>(options_.poll, PeriodicThread::Start::after_interval,
                                               [this] { deliverDue(); })) {}

OutboxRelay::~OutboxRelay() {
  thread_.reset();
  // A gateway shutting down hands over what is due now, so a last event is not left for another
  // instance's next poll. Best effort: whatever fails stays in the outbox.
  deliverDue();
}

bool OutboxRelay::deliver(const ClaimedEvent& event) {
  const std::string event_id = std::to_string(event.event_id);
  // No contact on record: the host still gets the event (with an empty contact) to route it.
  const std::vector<std::string> contacts =
      event.contacts.empty() ? std::vector<std::string>{""} : event.contacts;
  for (const std::string& contact : contacts) {
    const api::Notification notification{event_id, event.tenant_id, event.type, contact,
                                         event.payload_json};
    if (!services_.notify(notification)) return false;
  }
  return true;
}

int OutboxRelay::deliverDue() {
  std::lock_guard round(round_mutex_);
  int delivered = 0;
  try {
    const auto deadline = [this] { return Database::Clock::now() + options_.deadline; };
    for (const ClaimedEvent& event :
         outbox_.claim(relay_id_, options_.batch_size, static_cast<int>(options_.lease.count()),
                       deadline())) {
      if (deliver(event)) {
        outbox_.markSent(relay_id_, event.event_id, deadline());
        delivered_.fetch_add(1);
        metrics_.countNotification(event.type, true);
        ++delivered;
        continue;
      }
      // 1 s, 2 s, 4 s ... capped: a notifier that is down is not hammered.
      const int exponent = std::min(event.attempts - 1, 20);
      const auto backoff =
          std::min<std::int64_t>(1000LL << std::max(exponent, 0), options_.max_backoff.count());
      failed_.fetch_add(1);
      metrics_.countNotification(event.type, false);
      services_.log(api::LogLevel::warning, "creditgate: notifier refused event " +
                                                std::to_string(event.event_id) + " (" + event.type +
                                                "); retry in " + std::to_string(backoff) + " ms");
      outbox_.markFailed(relay_id_, event.event_id, "the host's notifier refused it",
                         static_cast<int>(backoff), deadline());
    }
  } catch (const LedgerError&) {
    // The events stay in the outbox; leases expire and the next round tries again. The ledger's
    // failure is counted and logged once per outage (LedgerOutageLog), not once per round.
  } catch (const std::exception& e) {
    services_.log(api::LogLevel::warning, std::string("creditgate: outbox relay: ") + e.what());
  }
  return delivered;
}

}  // namespace creditgate
