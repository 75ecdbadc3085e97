#include "paced_mode.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "pacer.hpp"

namespace sample_gateway {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::seconds;

std::string startLine(const Pace& pace, std::size_t batches_per_round) {
  std::string line = "paced: " + std::to_string(pace.per_second) + " batches/s across " +
                     std::to_string(pace.sender_threads) + " sender threads, " +
                     std::to_string(batches_per_round) +
                     " batches a round under fresh ids (<batch id>-r<round>), ";
  line += pace.duration ? "for " + durationText(*pace.duration) : std::string("until stopped");
  return line + " (SIGINT/SIGTERM stops; a second signal exits at once)";
}

}  // namespace

std::string roundBatchId(std::string_view batch_id, std::uint64_t round) {
  return std::string(batch_id) + "-r" + std::to_string(round);
}

std::string durationText(seconds duration) {
  long long s = duration.count();
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::uint64_t sendPaced(OutreachRun& run, const std::vector<OutreachBatch>& plan, const Pace& pace,
                        Shutdown& shutdown) {
  if (plan.empty()) return 0;
  run.print(startLine(pace, plan.size()));
  const Clock::time_point start = Clock::now();
  Pacer pacer(pace.per_second, start);
  std::atomic<std::uint64_t> next{0};  // batches begun, over all rounds

  auto sender = [&] {
    for (;;) {
      const Clock::time_point due = pacer.takeSlot(Clock::now());
      if (!shutdown.waitUntil(due)) return;
      const std::uint64_t k = next++;
      const OutreachBatch& original = plan[k % plan.size()];
      const OutreachBatch batch{original.campaign,
                                roundBatchId(original.batch_id, k / plan.size() + 1),
                                original.recipients};
      run.send(batch);
    }
  };

  std::vector<std::jthread> senders;
  for (unsigned t = 0; t < std::max(1u, pace.sender_threads); ++t) senders.emplace_back(sender);

  // This thread: a status line every interval, and the end of --duration.
  const std::optional<Clock::time_point> end =
      pace.duration ? std::optional(start + *pace.duration) : std::nullopt;
  Clock::time_point next_status = start + pace.status_interval;
  std::uint64_t batches_at_last_status = 0;
  for (;;) {
    const Clock::time_point wake = end ? std::min(next_status, *end) : next_status;
    if (!shutdown.waitUntil(wake)) break;
    if (end && Clock::now() >= *end) {
      run.print("duration " + durationText(*pace.duration) +
                " is over: finishing batches in flight and refused reports");
      shutdown.requestStop();
      break;
    }
    const RunTotals totals = run.totals();
    const auto elapsed = duration_cast<seconds>(Clock::now() - start);
    run.print("status elapsed_s=" + std::to_string(elapsed.count()) + " per_s=" +
              std::to_string((totals.batches - batches_at_last_status) /
                             static_cast<std::uint64_t>(pace.status_interval.count())) +
              " " + totals.fields(run.reportsPending()));
    batches_at_last_status = totals.batches;
    next_status += pace.status_interval;
  }
  senders.clear();  // joins: every batch begun is done
  return (next.load() + plan.size() - 1) / plan.size();
}

}  // namespace sample_gateway
