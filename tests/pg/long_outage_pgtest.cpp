// An outage shaped like a real one (issue 11, items 5, 7, 8, 9): the database goes away for more
// than a minute, far longer than every cache (tenant profiles and rates are re-read every
// rates_refresh_ms, left at its 5 s default) and every back-off, while two gateway threads keep
// deciding and reporting. With on_ledger_unavailable = allow_flagged every batch is allowed
// flagged for the whole outage, priced from what the gateway last loaded; every report is
// journaled. The log says it in a few lines, not one per decision. When the database is back the
// first good decision follows within 2 s, and the journal drains: every batch debited once and
// recorded flagged as ledger_unavailable (creditctl batches --status flagged shows them), every
// refund made once.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <thread>

#include "creditctl_runner.hpp"
#include "proxied_gate.hpp"

namespace creditgate::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kOutage = 65s;  // past the minute summary, 13 x the profile and rate refresh
constexpr std::int64_t kCredit = 100'000'000;  // 100 EUR each
const char* const kTenants[] = {"acme", "bistro"};

class LongOutageTest : public ProxiedGateTest {};

TEST_F(LongOutageTest, AllowFlaggedHoldsForTheWholeOutageAndEverythingIsSettledOnceItIsBack) {
  for (const char* tenant : kTenants) db_.addTenant(tenant, "EUR", kCredit);
  ProxiedGateOptions options;
  options.rates_refresh_ms = 5000;  // the default: profiles and rates expire 13 times over
  options.failure_extra = R"(, "in_doubt_grace_s": 1)";
  startBehindProxy(R"(, "on_ledger_unavailable": "allow_flagged", "ledger_unavailable_cap": "90")",
                   options);
  for (const char* tenant : kTenants) {
    ASSERT_EQ(decide(batch(tenant, "warm", germanNumbers(1, 9000))).decision, api::Decision::allow);
  }
  std::vector<std::int64_t> before;
  for (const char* tenant : kTenants) before.push_back(db_.balance(tenant));
  const std::size_t logs_before = host_.logs().size();

  proxy_->setMode(TcpProxy::Mode::refuse);
  const auto outage_started = Clock::now();
  std::atomic<int> flagged{0}, other{0}, journaled{0}, unjournaled{0}, from_memory{0};
  std::atomic<int> sent_per_tenant[2] = {0, 0};
  std::string first_other;
  std::mutex first_other_mutex;
  std::vector<std::thread> gateways;
  for (int t = 0; t < 2; ++t) {
    gateways.emplace_back([&, t] {
      for (int i = 0; Clock::now() - outage_started < kOutage; ++i) {
        const int tenant = i % 2;
        OwnedBatch b = batch(kTenants[tenant], "o" + std::to_string(t) + "-" + std::to_string(i),
                             germanNumbers(2, t * 100'000 + i * 2));
        const api::Verdict v = gate_->decide(b.view());
        if (v.decision == api::Decision::allow_flagged &&
            v.reason == api::Reason::ledger_unavailable) {
          ++flagged;
          ++sent_per_tenant[tenant];
          from_memory += std::string(v.detail).find("last loaded") != std::string::npos;
          const api::RecipientOutcome outcomes[] = {{b.recipients[0], api::Delivery::failed},
                                                    {b.recipients[1], api::Delivery::delivered}};
          const api::Settlement s = gate_->report({b.tenant_id, b.batch_id, outcomes});
          (s.ok && s.journaled ? journaled : unjournaled) += 1;
        } else {
          ++other;
          std::lock_guard lock(first_other_mutex);
          if (first_other.empty()) {
            first_other = std::string(api::reasonCode(v.reason)) + " " + v.detail;
          }
        }
        std::this_thread::sleep_for(250ms);  // about 8 decisions a second in all
      }
    });
  }
  for (auto& g : gateways) g.join();

  // Item 5: allowed for as long as the outage lasted, priced from what was loaded before it.
  EXPECT_EQ(other.load(), 0) << "e.g. " << first_other;
  EXPECT_GE(flagged.load(), 400);
  EXPECT_GT(from_memory.load(), flagged.load() / 2);  // every decision after the first expiry
  EXPECT_EQ(journaled.load(), flagged.load());        // item 7: every report taken by the journal
  EXPECT_EQ(unjournaled.load(), 0);
  const std::string during = gate_->metricsText();
  EXPECT_EQ(
      metricValue(during, "creditgate_failure_policy_decisions_total{policy=\"allow_flagged\"}"),
      flagged.load());
  EXPECT_GT(metricValue(during, "creditgate_stale_pricing_decisions_total"), 0);
  EXPECT_EQ(metricValue(during, "creditgate_ledger_circuit_open"), 1);
  EXPECT_EQ(metricValue(during, "creditgate_journal_pending{kind=\"decision\"}"), flagged.load());
  EXPECT_EQ(metricValue(during, "creditgate_journal_pending{kind=\"outcomes\"}"), flagged.load());

  // Item 9: a few lines for the whole outage, not one per decision.
  const std::vector<std::string> logs = host_.logs();
  int opened = 0, summaries = 0, warnings_and_errors = 0;
  for (std::size_t i = logs_before; i < logs.size(); ++i) {
    opened += logs[i].find("the ledger is unavailable: ") != std::string::npos;
    summaries += logs[i].find("the ledger is still unavailable after 6") != std::string::npos;
    warnings_and_errors += logs[i].rfind("2 ", 0) == 0 || logs[i].rfind("3 ", 0) == 0;
  }
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(summaries, 1);
  EXPECT_LE(warnings_and_errors, 10) << ::testing::PrintToString(
      std::vector<std::string>(logs.begin() + static_cast<long>(logs_before), logs.end()));

  // Item 9: back within 2 s of the database accepting connections.
  proxy_->setMode(TcpProxy::Mode::forward);
  const auto back = Clock::now();
  api::Verdict first;
  int back_flagged = 0;  // still decided by the failure policy until the circuit closes
  for (int i = 0; Clock::now() - back < 10s; ++i) {
    first = decide(batch("acme", "back-" + std::to_string(i), germanNumbers(1, 50'000 + i)));
    if (first.decision == api::Decision::allow) break;
    back_flagged += first.decision == api::Decision::allow_flagged;
    std::this_thread::sleep_for(50ms);
  }
  const double recovered_s = std::chrono::duration<double>(Clock::now() - back).count();
  ASSERT_EQ(first.decision, api::Decision::allow) << first.detail;
  EXPECT_LE(recovered_s, 2.0);
  std::printf(
      "[ outage   ] %d batches allowed flagged in %lld s; first good decision %.2f s after "
      "the database was back\n",
      flagged.load(), static_cast<long long>(kOutage.count()), recovered_s);

  // Items 7 and 8: the journal drains; each batch debited once, recorded flagged, refunded once.
  for (int i = 0; i < 300; ++i) {
    const std::string m = gate_->metricsText();
    if (metricValue(m, "creditgate_journal_pending{kind=\"decision\"}") == 0 &&
        metricValue(m, "creditgate_journal_pending{kind=\"outcomes\"}") == 0) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.batch WHERE batch_id LIKE 'o%' "
                         "AND decision = 'allow_flagged' AND reason = 'ledger_unavailable'"),
            flagged.load());
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'debit' "
                         "AND batch_id LIKE 'o%'"),
            flagged.load());
  // Recorded as sent when they were sent (during the outage), debited when the ledger was back.
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.batch b JOIN creditgate.ledger_entry l "
                         "ON l.tenant_id = b.tenant_id AND l.batch_id = b.batch_id AND "
                         "l.kind = 'debit' WHERE b.batch_id LIKE 'o%' AND "
                         "b.decided_at >= l.created_at - interval '1 second'"),
            0);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'refund' "
                         "AND batch_id LIKE 'o%'"),
            flagged.load());
  for (int t = 0; t < 2; ++t) {
    // Two recipients charged, one refunded: one message's price per batch (and one "back-" batch).
    const std::int64_t back_batches = t == 0 ? db_.queryInt(
                                                   "SELECT count(*) FROM creditgate.batch "
                                                   "WHERE batch_id LIKE 'back-%'")
                                             : 0;
    EXPECT_EQ(db_.balance(kTenants[t]),
              before[static_cast<std::size_t>(t)] -
                  (sent_per_tenant[t].load() + back_batches) * kEurGermanyMarketing)
        << kTenants[t];
    EXPECT_EQ(db_.ledgerSum(kTenants[t]), db_.balance(kTenants[t]));
  }
  // The money metrics count each debit and refund once: when the ledger took it.
  const std::string after = gate_->metricsText();
  EXPECT_EQ(metricValue(after,
                        "creditgate_money_micro_units_total{currency=\"EUR\",operation=\"debit\"}"),
            -db_.queryInt("SELECT sum(amount_micros) FROM creditgate.ledger_entry "
                          "WHERE kind = 'debit'"));
  EXPECT_EQ(metricValue(after,
                        "creditgate_money_micro_units_total{currency=\"EUR\",operation=\"refund\"}"),
            db_.queryInt("SELECT sum(amount_micros) FROM creditgate.ledger_entry "
                         "WHERE kind = 'refund'"));
  EXPECT_TRUE(host_.logged("the ledger answers again after 6"));
  EXPECT_TRUE(host_.logged("replaying the journal"));
  // The drain is logged: what the ledger took, in one drain or (a decision journaled while the
  // circuit was closing) two.
  std::int64_t drained_decisions = 0, drained_reports = 0;
  for (const std::string& line : host_.logs()) {
    const std::string took = "journal replayed: the ledger took ";
    const auto at = line.find(took);
    if (at == std::string::npos) continue;
    const char* text = line.c_str() + at + took.size();
    char* end = nullptr;
    drained_decisions += std::strtoll(text, &end, 10);
    drained_reports += std::strtoll(std::strstr(end, ", ") + 2, nullptr, 10);
  }
  EXPECT_EQ(drained_decisions, flagged.load() + back_flagged);
  EXPECT_EQ(drained_reports, flagged.load());

  // Item 8: an auditor finds them.
  const CtlResult listed =
      runCreditctl({"batches", "acme", "--status", "flagged", "--limit", "1000"}, db_.adminDsn());
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("batches of acme (EUR): " +
                            std::to_string(sent_per_tenant[0].load() + back_flagged)),
            std::string::npos)
      << listed.out;
  EXPECT_NE(listed.out.find("ledger_unavailable"), std::string::npos);
}

}  // namespace
}  // namespace creditgate::testing
