// Test support: the load processes of the multi-process money tests (gateways in-process, clients
// over HTTP), run at once, each printing one line per verdict:
//   ack <tenant> <batch_id> <decision> <charged_micros> <replayed 0|1>
// Their output is collected as it comes, so a test can act (top up) while they run.
#pragma once

#include <atomic>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace creditgate::testing {

struct LoadChild {
  FILE* pipe = nullptr;
  std::vector<std::string> lines;
  int status = -1;  // pclose's
};

class LoadChildren {
 public:
  // Starts every command through /bin/sh (give each its own `timeout`), reading their output.
  explicit LoadChildren(const std::vector<std::string>& commands) : children_(commands.size()) {
    for (std::size_t i = 0; i < commands.size(); ++i) {
      children_[i].pipe = ::popen(commands[i].c_str(), "r");
      if (children_[i].pipe == nullptr) continue;
      readers_.emplace_back([this, i] {
        LoadChild& child = children_[i];
        char line[512];
        while (std::fgets(line, sizeof line, child.pipe) != nullptr) {
          child.lines.emplace_back(line);
          if (child.lines.back().rfind("ack ", 0) == 0) acked_.fetch_add(1);
        }
        child.status = ::pclose(child.pipe);
      });
    }
  }
  ~LoadChildren() { wait(); }
  LoadChildren(const LoadChildren&) = delete;
  LoadChildren& operator=(const LoadChildren&) = delete;

  bool started() const {
    for (const LoadChild& child : children_) {
      if (child.pipe == nullptr) return false;
    }
    return true;
  }
  int acked() const { return acked_.load(); }
  // Until every process has ended; then children() is complete.
  void wait() {
    for (std::thread& reader : readers_) {
      if (reader.joinable()) reader.join();
    }
  }
  const std::vector<LoadChild>& children() const { return children_; }

 private:
  std::vector<LoadChild> children_;
  std::vector<std::thread> readers_;
  std::atomic<int> acked_{0};
};

struct AckLine {
  std::string tenant, batch_id, decision;
  std::int64_t charged_micros = -1;
  bool replayed = false;
};

// An "ack ..." line read back; nullopt for any other line (or a malformed ack).
inline std::optional<AckLine> parseAckLine(const std::string& line) {
  if (line.rfind("ack ", 0) != 0) return std::nullopt;
  std::istringstream in(line.substr(4));
  AckLine ack;
  int replayed = -1;
  in >> ack.tenant >> ack.batch_id >> ack.decision >> ack.charged_micros >> replayed;
  if (!in || (replayed != 0 && replayed != 1)) return std::nullopt;
  ack.replayed = replayed == 1;
  return ack;
}

}  // namespace creditgate::testing
