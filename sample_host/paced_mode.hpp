// Paced mode (--rate): the campaigns' batches round after round, N a second over all sender
// threads, until --duration is over or the gateway is stopped, with a status line every
// status_interval_s and a totals line at the end, for an SRE watching the plugin in Grafana.
//
// Each round sends its batches under fresh ids, "<batch id>-r<round>": the same ids again would
// only replay the first round (no decision, no money moved), which is not the traffic a dashboard
// should show. A restarted run begins again at round 1, so its first rounds replay the previous
// run's.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign.hpp"
#include "outreach_run.hpp"
#include "shutdown.hpp"

namespace sample_gateway {

struct Pace {
  unsigned per_second = 1;
  std::optional<std::chrono::seconds> duration;  // unset: until stopped
  unsigned sender_threads = 1;
  std::chrono::seconds status_interval{10};
};

// "<batch id>-r<round>", e.g. "spring-sale-0003-r12".
std::string roundBatchId(std::string_view batch_id, std::uint64_t round);

// Sends `plan` (one round) round after round until `pace.duration` is over (then it asks
// `shutdown` to stop) or something else did. Returns, once the last batch in flight is done, the
// number of rounds begun (the last one usually in part); refused reports may still be pending.
std::uint64_t sendPaced(OutreachRun& run, const std::vector<OutreachBatch>& plan, const Pace& pace,
                        Shutdown& shutdown);

// "Xs" / "Xm" / "Xh" as given on the command line.
std::string durationText(std::chrono::seconds duration);

}  // namespace sample_gateway
