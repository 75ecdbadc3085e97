#include "rate_refresher.hpp"

#include <ctime>

namespace creditgate {

RateRefresher::RateRefresher(RateDataSource& source, api::HostServices& services,
                             GateMetrics& metrics, std::chrono::milliseconds interval,
                             std::chrono::milliseconds deadline)
    : source_(source),
      services_(services),
      metrics_(metrics),
      deadline_(deadline),
      // The first load happens here, before any decision can ask for the snapshot.
      thread_((refreshNow(), interval), PeriodicThread::Start::after_interval,
              [this] { refreshNow(); }) {}

std::string RateRefresher::today() const {
  // Cards and prefixes are dated in UTC, by the host's clock (which tests may fake).
  const std::time_t seconds = static_cast<std::time_t>(services_.nowUnixMicros() / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &utc);
  return day;
}

bool RateRefresher::refreshNow() {
  std::lock_guard lock(refresh_mutex_);
  const auto deadline = Database::Clock::now() + deadline_;
  try {
    const std::string day = today();
    const std::int64_t version = source_.version(deadline);
    // "Last confirmed current": what the rate-data-stale alert watches.
    const double now_seconds = static_cast<double>(services_.nowUnixMicros()) / 1e6;
    if (version == loaded_version_ && day == loaded_day_) {
      metrics_.rateDataRefreshed(version, now_seconds);
      confirmed_ = true;
      failure_logged_ = false;
      return false;
    }
    const RateData data = source_.load(day, deadline);
    auto snapshot = std::make_shared<const RateSnapshot>(data);
    snapshot_.store(std::move(snapshot));
    for (const RateData::Card& card : data.cards) metrics_.knowCurrency(card.currency);
    loaded_version_ = version;
    loaded_day_ = day;
    metrics_.rateDataRefreshed(version, now_seconds);
    confirmed_ = true;
    failure_logged_ = false;
    services_.log(api::LogLevel::info, "creditgate: rate data version " + std::to_string(version) +
                                           " for " + day + " loaded");
    return true;
  } catch (const std::exception& e) {
    const auto* ledger_error = dynamic_cast<const LedgerError*>(&e);
    const std::string cause = ledger_error ? ledger_error->cause() : "cannot read the rate data";
    {
      std::lock_guard cause_lock(cause_mutex_);
      failure_cause_ = cause;
    }
    // One line per run of failures, not one per poll: the outage log says the rest.
    confirmed_ = false;
    if (!failure_logged_) {
      failure_logged_ = true;
      if (!snapshot_.load()) {
        // Nothing to price with: every decision is blocked until this works (a wrong password, a
        // firewall, a database down at start).
        services_.log(api::LogLevel::error,
                      "creditgate: cannot load the rate data from the ledger: " + cause + " (" +
                          e.what() +
                          "); decisions are blocked as ledger_unavailable until it "
                          "answers");
      } else {
        services_.log(api::LogLevel::warning, "creditgate: rate data not refreshed (" + cause +
                                                  "); pricing with the snapshot loaded before");
      }
    }
    return false;
  }
}

std::string RateRefresher::failureCause() const {
  std::lock_guard lock(cause_mutex_);
  return failure_cause_;
}

}  // namespace creditgate
