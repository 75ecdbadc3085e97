// Run-wide counts behind paced mode's status lines and the totals line at the end. Printed as
// logfmt (key=value), so an SRE can grep them and a script can parse them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "creditgate/host_api.hpp"
#include "outreach.hpp"

namespace sample_gateway {

// Not thread-safe: the caller serialises.
struct RunTotals {
  std::uint64_t batches = 0;
  std::array<std::uint64_t, 4> by_decision{};  // indexed by api::Decision
  std::uint64_t replayed = 0;
  std::uint64_t recipients_sent = 0;
  std::uint64_t refunded = 0;              // recipients refunded
  std::uint64_t decide_retried = 0;        // batches whose decide() was asked more than once
  std::uint64_t decide_gave_up = 0;        // ... until the retry time was over: not sent
  std::uint64_t decide_stopped = 0;        // ... until the gateway stopped: not sent
  std::uint64_t reports_resent = 0;        // refused at first, handed to the ReportRetrier
  std::uint64_t reports_journaled = 0;     // accepted as journaled, at once or re-sent
  std::uint64_t reports_not_accepted = 0;  // out of retry time

  void add(const BatchResult& result);
  void addAcceptedReport(const creditgate::api::Settlement& settlement);
  void addUnacceptedReport() { ++reports_not_accepted; }

  // Some decide() or report() needed more than one call, or never got an answer.
  bool ledgerFailedToAnswer() const {
    return decide_retried + decide_gave_up + decide_stopped + reports_resent + reports_journaled +
               reports_not_accepted >
           0;
  }

  // "batches=12 allow=10 allow_flagged=0 allow_partial=1 block=1 replayed=0 sent=230 refunded=21
  //  decide_retried=0 decide_gave_up=0 decide_stopped=0 reports_resent=0 reports_journaled=0
  //  reports_pending=0 reports_not_accepted=0" (one line)
  std::string fields(std::size_t reports_pending) const;
};

}  // namespace sample_gateway
