#include "ledger_watch.hpp"

namespace creditgate {

LedgerWatch::LedgerWatch(Database& database, Outbox& outbox, GateMetrics& metrics,
                         std::chrono::milliseconds interval, std::chrono::milliseconds deadline)
    : database_(database),
      outbox_(outbox),
      metrics_(metrics),
      deadline_(deadline),
      // The first poll happens here, so top-ups counted are exactly those after the gate started.
      thread_((pollNow(), interval), PeriodicThread::Start::after_interval, [this] { pollNow(); }) {
}

void LedgerWatch::pollNow() {
  std::lock_guard lock(poll_mutex_);
  const auto pool = database_.poolStats();
  metrics_.setPool(pool.open, pool.in_use, database_.poolSize());
  try {
    const bool first = last_topup_entry_id_ < 0;
    const Outbox::Watch watch =
        outbox_.watch(first ? 0 : last_topup_entry_id_, Database::Clock::now() + deadline_);
    metrics_.setDeliveryBacklog(watch.outbox_pending, watch.oldest_undelivered_seconds);
    if (!first) {
      for (const auto& topup : watch.topups) {
        metrics_.countMoney("topup", topup.currency, topup.micros);
        metrics_.tenantBalance(topup.tenant_id, topup.currency, topup.balance_micros, std::nullopt);
      }
    }
    last_topup_entry_id_ = watch.last_topup_entry_id;
  } catch (const LedgerError&) {
    // Counted by the ledger's observer; the next poll tries again.
  }
}

}  // namespace creditgate
