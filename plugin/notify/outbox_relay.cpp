#include "outbox_relay.hpp"

#include <unistd.h>

#include <algorithm>
#include <random>

#include "channel.hpp"

namespace creditgate {
namespace {

constexpr auto kHandOverBudget = std::chrono::seconds(5);

std::string makeRelayId() {
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(random());
}

// 1 s, 2 s, 4 s ... capped, each drawn from its upper half: many endpoints failing at once (a
// receiver's outage) do not all come back in the same second.
std::chrono::milliseconds backoffFor(int attempts, std::chrono::milliseconds cap) {
  const int exponent = std::clamp(attempts - 1, 0, 30);
  const std::int64_t ceiling = std::min<std::int64_t>(1000LL << exponent, cap.count());
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> jitter(ceiling / 2, ceiling);
  return std::chrono::milliseconds(jitter(random));
}

const char* outcomeLabel(DeliveryEnd::Outcome outcome, bool gave_up) {
  switch (outcome) {
    case DeliveryEnd::Outcome::delivered: return "delivered";
    case DeliveryEnd::Outcome::rejected: return "failed";
    case DeliveryEnd::Outcome::gone: return "disabled";
    case DeliveryEnd::Outcome::retry: break;
  }
  return gave_up ? "failed" : "retry";
}

// For logs: the channel without secrets or URL query strings.
std::string channelForLog(const ClaimedDelivery& delivery) {
  const std::optional<Channel> channel = parseChannel(delivery.channel);
  return channel ? describeChannel(*channel) : delivery.kind + " (invalid contact)";
}

}  // namespace

std::chrono::milliseconds OutboxRelay::leaseFor(const DeliverySettings& delivery) {
  const auto slowest = std::max(delivery.smtp.timeout, delivery.webhook_timeout);
  return std::max<std::chrono::milliseconds>(std::chrono::seconds(30),
                                             2 * slowest + std::chrono::seconds(5));
}

OutboxRelay::OutboxRelay(Outbox& outbox, api::HostServices& services, GateMetrics& metrics,
                         RelayOptions options)
    : outbox_(outbox),
      services_(services),
      metrics_(metrics),
      options_(std::move(options)),
      relay_id_(makeRelayId()),
      lease_(leaseFor(options_.delivery)) {
  threads_.emplace_back([this] { dispatch(); });
  for (int i = 0; i < options_.concurrency; ++i) threads_.emplace_back([this] { work(); });
}

OutboxRelay::~OutboxRelay() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  // The workers send what was already claimed before they stop, each within its timeout.
  for (std::thread& thread : threads_) thread.join();
  handOverDue();
}

// A gateway shutting down sends what is due now (the events its last decisions wrote, say), so a
// one-shot gateway does not leave them for another instance's next poll. Rounds of one delivery
// per worker, all at once, until nothing is due or kHandOverBudget has passed: the stop takes that
// plus one send timeout at worst. Whatever is left stays in the ledger for another relay.
void OutboxRelay::handOverDue() {
  const auto until = std::chrono::steady_clock::now() + kHandOverBudget;
  while (std::chrono::steady_clock::now() < until) {
    std::vector<ClaimedDelivery> due;
    try {
      due = outbox_.claim(relay_id_, options_.concurrency, static_cast<int>(lease_.count()),
                          deadline());
    } catch (const std::exception&) {
      return;  // the ledger is not answering: nothing was claimed
    }
    std::vector<std::thread> senders;
    for (const ClaimedDelivery& delivery : due) {
      senders.emplace_back([this, &delivery] {
        ChannelSender sender(options_.delivery, services_);
        deliver(sender, delivery);
      });
    }
    for (std::thread& sender : senders) sender.join();
    // Only an empty claim means nothing is due: the ledger hands out one delivery per channel at a
    // time, so a channel's next event comes in the round after its last one was sent.
    if (due.empty()) return;
  }
}

void OutboxRelay::dispatch() {
  std::unique_lock lock(mutex_);
  // The first look waits one poll, as it always did: a gate just started is not busy at once.
  if (changed_.wait_for(lock, options_.poll, [this] { return stopping_; })) return;
  while (!stopping_) {
    changed_.wait(lock, [this] { return stopping_ || idle_workers_ > 0; });
    if (stopping_) return;
    const int wanted = std::min(idle_workers_, options_.batch_size);
    lock.unlock();
    std::vector<ClaimedDelivery> claimed;
    try {
      claimed = outbox_.claim(relay_id_, wanted, static_cast<int>(lease_.count()), deadline());
    } catch (const LedgerError&) {
      // Counted and logged once per outage by the ledger's observer; the next poll tries again.
    } catch (const std::exception& e) {
      services_.log(api::LogLevel::warning, std::string("creditgate: outbox relay: ") + e.what());
    }
    lock.lock();
    const bool full = static_cast<int>(claimed.size()) == wanted;
    for (ClaimedDelivery& delivery : claimed) queue_.push_back(std::move(delivery));
    idle_workers_ -= static_cast<int>(claimed.size());
    changed_.notify_all();
    // Nothing more due now: look again after a poll (or as soon as a full round's workers free).
    if (!full) changed_.wait_for(lock, options_.poll, [this] { return stopping_; });
  }
}

void OutboxRelay::work() {
  ChannelSender sender(options_.delivery, services_);
  std::unique_lock lock(mutex_);
  ++idle_workers_;
  changed_.notify_all();
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing handed to us
    ClaimedDelivery delivery = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    deliver(sender, delivery);
    lock.lock();
    ++idle_workers_;
    changed_.notify_all();
  }
}

int OutboxRelay::deliverDue() {
  ChannelSender sender(options_.delivery, services_);
  int delivered = 0;
  try {
    for (const ClaimedDelivery& delivery : outbox_.claim(
             relay_id_, options_.batch_size, static_cast<int>(lease_.count()), deadline())) {
      if (deliver(sender, delivery)) ++delivered;
    }
  } catch (const LedgerError&) {
    // As in dispatch(): the deliveries stay in the ledger and their leases expire.
  } catch (const std::exception& e) {
    services_.log(api::LogLevel::warning, std::string("creditgate: outbox relay: ") + e.what());
  }
  return delivered;
}

bool OutboxRelay::deliver(ChannelSender& sender, const ClaimedDelivery& delivery) {
  DeliveryEnd end = sender.send(delivery);
  end.retry_after = backoffFor(delivery.attempts, options_.max_backoff);
  end.give_up_after = options_.retry_period;
  const auto now =
      std::chrono::system_clock::time_point(std::chrono::microseconds(services_.nowUnixMicros()));
  const bool gave_up = end.outcome == DeliveryEnd::Outcome::retry &&
                       now >= delivery.created_at + options_.retry_period;
  const char* outcome = outcomeLabel(end.outcome, gave_up);
  metrics_.countDelivery(delivery.kind, outcome);
  const bool ok = end.outcome == DeliveryEnd::Outcome::delivered;
  if (ok) {
    delivered_.fetch_add(1);
  } else {
    failed_.fetch_add(1);
    std::string line = "creditgate: event " + std::to_string(delivery.event_id) + " (" +
                       delivery.type + ") to " + channelForLog(delivery) + " of tenant " +
                       delivery.tenant_id + ", attempt " + std::to_string(delivery.attempts) +
                       ": " + (end.error.empty() ? "not delivered" : end.error) + "; ";
    if (std::string_view(outcome) == "retry") {
      line += "retry in " + std::to_string(end.retry_after.count()) + " ms";
    } else {
      line += std::string("now ") + outcome;
    }
    services_.log(api::LogLevel::warning, line);
  }
  try {
    if (!outbox_.finish(relay_id_, delivery, end, deadline())) {
      services_.log(api::LogLevel::warning,
                    "creditgate: event " + std::to_string(delivery.event_id) +
                        ": the lease ran out before the outcome was recorded; another relay may "
                        "send it again (receivers de-duplicate by its id)");
    }
  } catch (const LedgerError&) {
    // Unrecorded: the lease expires and the delivery is claimed again (at least once).
  } catch (const std::exception& e) {
    services_.log(api::LogLevel::warning, std::string("creditgate: outbox relay: ") + e.what());
  }
  return ok;
}

}  // namespace creditgate
