// Notifications: written in the same transaction as the money, once per threshold crossing, paced,
// and relayed to the host's notifier exactly once per event even with several relays.
#include "gate_fixture.hpp"

#include <set>
#include <thread>

namespace creditgate::testing {
namespace {

constexpr std::int64_t kPrice = kEurGermanyMarketing;

// Warning below 50 messages' worth, critical below 20; no pacing unless a test asks for it.
// The relay polls every `relay_poll_ms` (the default: never within a test; tests drive rounds).
std::string notifications(int min_interval_s = 0, int relay_poll_ms = 600000) {
  return R"("notifications": {"low_balance_warning": ")" + formatMicros(50 * kPrice) +
         R"(", "low_balance_critical": ")" + formatMicros(20 * kPrice) +
         R"(", "min_interval_s": )" + std::to_string(min_interval_s) +
         R"(, "relay": {"enabled": true, "poll_ms": )" + std::to_string(relay_poll_ms) + "}}";
}

class NotificationTest : public GateTest {
 protected:
  std::int64_t events(const std::string& where) {
    return db_.queryInt("SELECT count(*) FROM creditgate.outbox_event WHERE " + where);
  }
  std::int64_t deliveries(const std::string& where) {
    return db_.queryInt("SELECT count(*) FROM creditgate.notification_delivery WHERE " + where);
  }
  void debitConcurrently(const std::string& tenant, int threads, int batches_each,
                         const std::string& prefix) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int i = 0; i < batches_each; ++i) {
          OwnedBatch b = batch(tenant, prefix + std::to_string(t) + "-" + std::to_string(i),
                               germanNumbers(1, t * 1000 + i));
          const api::Verdict v = gate_->decide(b.view());
          EXPECT_NE(v.decision, api::Decision::block) << v.detail;
        }
      });
    }
    for (auto& worker : workers) worker.join();
  }
};

TEST_F(NotificationTest, SixteenThreadsCrossingAThresholdEmitExactlyOneEventPerCrossing) {
  db_.addTenant("hot", "EUR", 100 * kPrice);
  startGate(kBlockPolicy, 1000, notifications());
  debitConcurrently("hot", 16, 4, "a");  // 100 -> 36 messages' worth: crosses warning once
  EXPECT_EQ(db_.balance("hot"), 36 * kPrice);
  EXPECT_EQ(events("type = 'low_balance' AND payload->>'level' = 'warning'"), 1);
  EXPECT_EQ(events("type = 'low_balance' AND payload->>'level' = 'critical'"), 0);

  debitConcurrently("hot", 16, 2, "b");  // 36 -> 4: crosses critical once
  EXPECT_EQ(events("type = 'low_balance' AND payload->>'level' = 'warning'"), 1);
  EXPECT_EQ(events("type = 'low_balance' AND payload->>'level' = 'critical'"), 1);
  EXPECT_EQ(events("type = 'depleted'"), 0);
  EXPECT_EQ(db_.queryInt("SELECT (payload->>'balance_micros')::bigint FROM creditgate.outbox_event "
                         "WHERE payload->>'level' = 'critical'") < 20 * kPrice,
            true);
}

TEST_F(NotificationTest, DebitThatRollsBackEmitsNothing) {
  db_.addTenant("acme", "EUR", 100 * kPrice);
  {
    pqxx::work txn(db_.connection());
    txn.exec(
        "SELECT creditgate.decide_batch('acme', 'b-1', 'c', 't', 'marketing', "
        "ARRAY['+4915112345678'], ARRAY[" + std::to_string(99 * kPrice) + "]::bigint[], 'EUR', "
        "'block', 0, NULL, " + std::to_string(50 * kPrice) + ", NULL, 0)");
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM creditgate.outbox_event")[0].as<int>(), 1);
    txn.abort();  // e.g. the gateway's connection broke before commit
  }
  EXPECT_EQ(db_.count("outbox_event"), 0);
  EXPECT_EQ(db_.count("balance_alert"), 0);
  EXPECT_EQ(db_.balance("acme"), 100 * kPrice);
}

TEST_F(NotificationTest, TopUpRecoversAndReArmsTheThreshold) {
  db_.addTenant("acme", "EUR", 51 * kPrice);
  startGate(kBlockPolicy, 1000, notifications());
  decide(batch("acme", "b-1", germanNumbers(2)));  // 51 -> 49: warning
  EXPECT_EQ(events("type = 'low_balance'"), 1);
  db_.topup("acme", 10 * kPrice, "refill-1");       // 49 -> 59: recovered
  EXPECT_EQ(events("type = 'recovered' AND payload->'levels' ? 'warning'"), 1);
  EXPECT_EQ(db_.count("balance_alert"), 0);
  decide(batch("acme", "b-2", germanNumbers(10, 100)));  // 59 -> 49: fires again
  EXPECT_EQ(events("type = 'low_balance'"), 2);
}

TEST_F(NotificationTest, BlockedAndFlaggedBatchesNotifyInsufficientCreditWithTheShortfall) {
  db_.addTenant("bistro", "EUR", kPrice - 10);
  db_.addTenant("cafe", "EUR", kPrice - 10);
  startGate(R"({"on_insufficient_credit": "block",
               "tenants": {"cafe": {"on_insufficient_credit": "flag", "overdraft_limit": "5"}}})",
            1000, notifications());
  decide(batch("bistro", "b-1", germanNumbers(1)));
  decide(batch("cafe", "b-1", germanNumbers(1)));
  EXPECT_EQ(db_.queryInt("SELECT (payload->>'shortfall_micros')::bigint FROM creditgate.outbox_event"
                         " WHERE tenant_id = 'bistro' AND type = 'insufficient_credit'"),
            10);
  EXPECT_EQ(db_.queryInt("SELECT (payload->>'shortfall_micros')::bigint FROM creditgate.outbox_event"
                         " WHERE tenant_id = 'cafe' AND type = 'insufficient_credit'"),
            10);  // flagged: sent on 10 micro-units of credit it did not have
}

TEST_F(NotificationTest, MinimumIntervalStopsAStormOfInsufficientCreditEvents) {
  db_.addTenant("bistro", "EUR", 0);
  startGate(kBlockPolicy, 1000, notifications(/*min_interval_s=*/60));
  for (int i = 0; i < 20; ++i) decide(batch("bistro", "b-" + std::to_string(i), germanNumbers(1)));
  EXPECT_EQ(db_.count("batch_refusal"), 20);  // every refusal is on record...
  EXPECT_EQ(events("type = 'insufficient_credit'"), 1);  // ...but the contact is told once
}

TEST_F(NotificationTest, TwoRelaysOnOneDatabaseDeliverEveryEventExactlyOnce) {
  for (int i = 0; i < 40; ++i) db_.addTenant("t" + std::to_string(i), "EUR", 0);
  db_.exec("SELECT creditgate.set_tenant_contacts('t0', ARRAY['a@t0.example', 'b@t0.example'])");
  db_.exec("INSERT INTO creditgate.outbox_event (tenant_id, type, payload) "
           "SELECT tenant_id, 'depleted', '{}'::jsonb FROM creditgate.tenant, generate_series(1, 5)");
  const auto total = db_.count("outbox_event");  // 200

  FakeHost other_host;
  startGate(kBlockPolicy, 1000, notifications(0, /*relay_poll_ms=*/50));
  std::string error;
  auto second = createGate(config_text_path_, other_host, error);
  ASSERT_TRUE(second) << error;

  for (int waited = 0; waited < 200 && events("sent_at IS NULL") > 0; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  second.reset();
  gate_.reset();
  EXPECT_EQ(events("sent_at IS NULL"), 0);

  std::multiset<std::string> delivered;
  for (const FakeHost* host : {&host_, &other_host}) {
    for (const auto& n : host->notified()) delivered.insert(n.event_id + "/" + n.contact);
  }
  EXPECT_EQ(static_cast<std::int64_t>(delivered.size()), total + 5);  // t0 has two contacts
  for (const auto& key : delivered) EXPECT_EQ(delivered.count(key), 1u) << key << " twice";
  EXPECT_FALSE(host_.notified().empty());
  EXPECT_FALSE(other_host.notified().empty());
}

TEST_F(NotificationTest, FailingNotifierIsRetriedAndTheEventDeliveredOnceItRecovers) {
  db_.addTenant("bistro", "EUR", 0);
  host_.notify_fails = true;
  startGate(kBlockPolicy, 1000, notifications());  // rounds are driven below
  auto& gate = static_cast<CreditGatePlugin&>(*gate_);
  decide(batch("bistro", "b-1", germanNumbers(1)));
  EXPECT_EQ(gate.relayNotificationsNow(), 0);
  EXPECT_EQ(deliveries("state = 'pending' AND attempts = 1 AND available_at > now()"
                       " AND last_error = 'the host''s notifier refused it'"),
            1);                                // backoff
  EXPECT_EQ(gate.relayNotificationsNow(), 0);  // not due yet: not hammered
  EXPECT_EQ(deliveries("attempts = 1"), 1);
  EXPECT_EQ(events("sent_at IS NULL"), 1);

  host_.notify_fails = false;
  db_.exec("UPDATE creditgate.notification_delivery SET available_at = now()");  // skip backoff
  EXPECT_EQ(gate.relayNotificationsNow(), 1);
  EXPECT_EQ(gate.relayNotificationsNow(), 0);
  ASSERT_EQ(host_.notified().size(), 1u);
  EXPECT_EQ(host_.notified()[0].type, "insufficient_credit");
  EXPECT_EQ(host_.notified()[0].contact, "billing@bistro.example");
  EXPECT_EQ(deliveries("state = 'delivered' AND attempts = 2 AND last_error IS NULL"), 1);
  EXPECT_EQ(events("sent_at IS NOT NULL"), 1);
}

}  // namespace
}  // namespace creditgate::testing
