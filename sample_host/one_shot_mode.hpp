// One-shot mode: every batch of the campaigns sent once, by several sender threads, under ids
// that stay the same from run to run, so sending the same campaigns again replays them.
#pragma once

#include <vector>

#include "campaign.hpp"
#include "outreach_run.hpp"
#include "shutdown.hpp"

namespace sample_gateway {

// Sender threads take batches from one shared queue (an index into the plan) until it is empty or
// the gateway stops. Returns how many batches were sent (all of them, unless stopped).
std::size_t sendOnce(OutreachRun& run, const std::vector<OutreachBatch>& batches,
                     unsigned sender_threads, Shutdown& shutdown);

}  // namespace sample_gateway
