// A background thread that runs a task every `interval` until destroyed; destruction wakes it at
// once and joins. Declare it as the LAST member of its owner, so it stops before the members its
// task uses are destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace creditgate {

class PeriodicThread {
 public:
  enum class Start { now, after_interval };

  PeriodicThread(std::chrono::milliseconds interval, Start start, std::function<void()> task)
      : interval_(interval), task_(std::move(task)) {
    thread_ = std::thread([this, start] { run(start); });
  }
  ~PeriodicThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

 private:
  void run(Start start) {
    std::unique_lock lock(mutex_);
    if (start == Start::after_interval &&
        wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      return;
    }
    do {
      lock.unlock();
      task_();
      lock.lock();
    } while (!wake_.wait_for(lock, interval_, [this] { return stopping_; }));
  }

  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace creditgate
