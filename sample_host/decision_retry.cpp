#include "decision_retry.hpp"

namespace sample_gateway {
namespace api = creditgate::api;

bool ledgerDidNotAnswer(const api::Verdict& verdict) {
  if (verdict.decision != api::Decision::block) return false;
  switch (verdict.reason) {
    case api::Reason::ledger_in_doubt:
    case api::Reason::ledger_unavailable:
    case api::Reason::ledger_timeout: return true;
    default: return false;
  }
}

DecisionTrail decideUntilKnown(api::CreditGate& gate, const api::Batch& batch,
                               const RetryPolicy& policy, RetryClock& clock) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  DecisionTrail trail;
  const RetryClock::Clock::time_point first_call = clock.now();
  Backoff backoff(policy);
  for (;;) {
    trail.verdict = gate.decide(batch);
    ++trail.attempts;
    trail.elapsed = duration_cast<milliseconds>(clock.now() - first_call);
    if (trail.attempts == 1) trail.first_reason = trail.verdict.reason;
    if (!ledgerDidNotAnswer(trail.verdict)) return trail;
    // Once in doubt, in doubt until the ledger answers: a later "unavailable" says nothing about
    // what the lost answer did.
    trail.in_doubt = trail.in_doubt || trail.verdict.reason == api::Reason::ledger_in_doubt;
    const milliseconds delay = backoff.next();
    if (policy.tooLate(trail.elapsed, delay)) {
      trail.end = DecisionTrail::End::gave_up;
      return trail;
    }
    if (trail.in_doubt) {
      clock.waitRegardless(delay);
    } else if (!clock.waitUnlessStopping(delay)) {
      trail.end = DecisionTrail::End::stopped;
      return trail;
    }
  }
}

}  // namespace sample_gateway
