#include "config_watcher.hpp"

#include <sys/stat.h>

namespace creditgate {

ConfigWatcher::ConfigWatcher(std::string path, std::chrono::milliseconds interval,
                             OnChange on_change)
    : path_(std::move(path)),
      on_change_(std::move(on_change)),
      last_(stamp()),
      thread_(interval, PeriodicThread::Start::after_interval, [this] { check(); }) {}

ConfigWatcher::Stamp ConfigWatcher::stamp() const {
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0) return Stamp{};
  return Stamp{
      true, static_cast<unsigned long long>(info.st_dev),
      static_cast<unsigned long long>(info.st_ino), static_cast<unsigned long long>(info.st_size),
      static_cast<long long>(info.st_mtim.tv_sec) * 1'000'000'000LL + info.st_mtim.tv_nsec};
}

void ConfigWatcher::check() {
  const Stamp now = stamp();
  // A file that vanished (mid-rename) is not a change to act on: the running config stays.
  if (!now.exists || now == last_) return;
  last_ = now;
  on_change_();
}

}  // namespace creditgate
