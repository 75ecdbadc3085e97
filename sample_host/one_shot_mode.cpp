#include "one_shot_mode.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace sample_gateway {

std::size_t sendOnce(OutreachRun& run, const std::vector<OutreachBatch>& batches,
                     unsigned sender_threads, Shutdown& shutdown) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> sent{0};
  auto sender = [&] {
    for (std::size_t i = next++; i < batches.size() && !shutdown.stopping(); i = next++) {
      run.send(batches[i]);
      ++sent;
    }
  };
  {
    std::vector<std::jthread> senders;
    std::size_t count = std::min<std::size_t>(sender_threads, batches.size());
    for (std::size_t t = 0; t < count; ++t) senders.emplace_back(sender);
  }  // joined here
  return sent.load();
}

}  // namespace sample_gateway
