// Notices a changed config file within a second, without inotify's corner cases (editors that
// replace the file, config management that renames into place): polls the file's identity and
// modification time, and calls back when they change. The callback validates and swaps.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "periodic_thread.hpp"

namespace creditgate {

class ConfigWatcher {
 public:
  using OnChange = std::function<void()>;

  ConfigWatcher(std::string path, std::chrono::milliseconds interval, OnChange on_change);

 private:
  struct Stamp {
    bool exists = false;
    unsigned long long device = 0, inode = 0, size = 0;
    long long mtime_ns = 0;
    friend bool operator==(const Stamp&, const Stamp&) = default;
  };
  Stamp stamp() const;
  void check();

  const std::string path_;
  const OnChange on_change_;
  Stamp last_;  // only the thread's task touches it
  PeriodicThread thread_;
};

}  // namespace creditgate
