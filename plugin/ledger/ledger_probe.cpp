#include "ledger_probe.hpp"

#include <exception>
#include <optional>
#include <utility>

namespace creditgate {

// One read of the ledger, shared by every caller that came while it was due or under way.
struct LedgerProbe::Round {
  Database::Deadline deadline;  // its first caller's: how long it may wait for a connection
  bool started = false;
  bool finished = false;
  std::optional<LedgerError> error;  // set when finished without an answer
};

LedgerProbe::LedgerProbe(RateDataSource& rates) : rates_(rates) {
  thread_ = std::thread([this] { run(); });
}

LedgerProbe::~LedgerProbe() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  due_.notify_all();
  thread_.join();
}

void LedgerProbe::probe(Database::Deadline deadline) {
  std::unique_lock lock(mutex_);
  if (!current_ || current_->finished) {
    current_ = std::make_shared<Round>();
    current_->deadline = deadline;
    due_.notify_one();
  }
  const std::shared_ptr<Round> round = current_;
  if (!answered_.wait_until(lock, deadline, [&] { return round->finished; })) {
    throw LedgerError(LedgerError::Kind::timeout, "no answer within the decision deadline");
  }
  // Each caller throws its own copy: no exception object is shared between threads.
  if (round->error) {
    throw LedgerError(round->error->kind(), round->error->cause(), round->error->what());
  }
}

void LedgerProbe::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    due_.wait(lock, [&] { return stopping_ || (current_ && !current_->started); });
    if (stopping_) return;
    const std::shared_ptr<Round> round = current_;
    round->started = true;
    lock.unlock();
    std::optional<LedgerError> error;
    try {
      rates_.version(round->deadline);
    } catch (const LedgerError& e) {
      error = e;
    } catch (const std::exception& e) {
      error = LedgerError(LedgerError::Kind::rejected, "internal error", e.what());
    } catch (...) {
      error = LedgerError(LedgerError::Kind::rejected, "internal error");
    }
    lock.lock();
    round->error = std::move(error);
    round->finished = true;
    answered_.notify_all();
  }
}

}  // namespace creditgate
