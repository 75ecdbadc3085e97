// Two relay instances (gateway processes, tests/support/relay_gateway.cpp) on one ledger deliver
// 1,000 events of 50 tenants to each tenant's email and webhook: counted at the real receivers,
// every (event, channel) arrives exactly once; and when one relay is SIGKILLed mid-delivery, none
// is lost (at least once, the few repeats recognisable by Message-ID and webhook-id).
#include <gmock/gmock.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "gate_fixture.hpp"
#include "notify_receivers.hpp"

namespace creditgate::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kTenants = 50;
constexpr int kEventsPerTenant = 20;  // 1,000 events, 2,000 deliveries

// One relay_gateway process; its output read as it comes.
class RelayProcess {
 public:
  explicit RelayProcess(const std::string& config) {
    pipe_ = ::popen(
        ("echo $$; exec " + std::string(RELAY_GATEWAY_PATH) + " " + config + " 2>&1").c_str(), "r");
    if (pipe_ == nullptr) throw std::runtime_error("cannot start relay_gateway");
    reader_ = std::thread([this] {
      char line[1024];
      while (std::fgets(line, sizeof line, pipe_) != nullptr) {
        std::lock_guard lock(mutex_);
        lines_.emplace_back(line);
        if (lines_.size() == 1) pid_ = std::atoi(line);
      }
    });
  }
  ~RelayProcess() {
    if (!ended_) kill();
  }
  bool waitFor(const std::string& prefix, std::chrono::milliseconds limit = 30s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (!lineStarting(prefix).empty()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  std::string lineStarting(const std::string& prefix) {
    std::lock_guard lock(mutex_);
    for (const std::string& line : lines_) {
      if (line.rfind(prefix, 0) == 0) return line;
    }
    return "";
  }
  std::string output() {
    std::lock_guard lock(mutex_);
    std::string all;
    for (const std::string& line : lines_) all += line;
    return all;
  }
  // A clean stop; returns how many deliveries it made (its own metrics), -1 if it did not say.
  long long stop() {
    ::kill(pid_, SIGTERM);
    end();
    const std::string line = lineStarting("delivered ");
    return line.empty() ? -1 : std::stoll(line.substr(10));
  }
  void kill() {
    ::kill(pid_, SIGKILL);
    end();
  }

 private:
  void end() {
    reader_.join();
    ::pclose(pipe_);
    ended_ = true;
  }
  FILE* pipe_ = nullptr;
  std::thread reader_;
  std::mutex mutex_;
  std::vector<std::string> lines_;
  pid_t pid_ = 0;
  bool ended_ = false;
};

std::string tenantName(int i) {
  return std::string("t") + (i < 10 ? "0" : "") + std::to_string(i);
}

class RelayProcessesTest : public GateTest {
 protected:
  // 50 tenants, each with an email and a webhook (`hook_suffix` after /hooks/tNN picks the
  // receiver's behaviour), and 20 events each.
  void seed(const std::string& hook_suffix) {
    WebhookSecrets secrets;
    for (int i = 0; i < kTenants; ++i) {
      const std::string t = tenantName(i);
      db_.addTenant(t, "EUR", 100'000'000);
      db_.exec("SELECT creditgate.set_tenant_contacts('" + t + "', ARRAY['email:ops@" + t +
               ".example', 'webhook:" + receiver_.url("/hooks/" + t + hook_suffix) + "'])");
      pqxx::nontransaction txn(db_.connection());
      secrets["/hooks/" + t] = {
          txn.exec1("SELECT secret FROM creditgate.webhook_secret WHERE tenant_id = '" + t + "'")[0]
              .as<std::string>()};
    }
    receiver_.setSecrets(secrets);
    db_.exec(
        "INSERT INTO creditgate.outbox_event (tenant_id, type, payload)"
        " SELECT tenant_id, 'low_balance', jsonb_build_object('level', 'warning',"
        "   'threshold_micros', 50000000, 'balance_micros', 40000000 - n, 'currency', 'EUR')"
        "   FROM creditgate.tenant, generate_series(1, " +
        std::to_string(kEventsPerTenant) + ") n");
    config_ = writeTempFile("creditgate.json",
                            pluginConfigJson(
                                db_.pluginDsn(), kBlockPolicy, 1000,
                                R"("notifications": {"relay": {"poll_ms": 50, "concurrency": 4},)"
                                R"( "email": {"smtp_url": ")" +
                                    sink_.url() +
                                    R"(", "starttls": "off", "from": "credit@gw.example",)"
                                    R"( "timeout_ms": 5000}, "webhook": {"timeout_ms": 5000}})"))
                  .string();
  }
  std::int64_t pending() {
    return db_.queryInt(
        "SELECT count(*) FROM creditgate.notification_delivery WHERE state <> 'delivered'"
        " OR attempts = 0");
  }
  bool allDelivered(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (db_.count("notification_delivery") == 2 * kTenants * kEventsPerTenant && pending() == 0) {
        return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  // How often each mail (Message-ID, recipient) and each webhook (webhook-id, path) arrived.
  std::map<std::string, int> arrivals() {
    std::map<std::string, int> seen;
    for (const ReceivedMail& mail : sink_.mails()) {
      for (const std::string& rcpt : mail.rcpt_tos) ++seen["mail " + mail.message_id + " " + rcpt];
    }
    for (const ReceivedWebhook& hook : receiver_.hooks()) {
      EXPECT_TRUE(hook.verified) << hook.verify_error;
      ++seen["hook " + hook.webhook_id + " " + hook.path];
    }
    return seen;
  }

  SmtpSink sink_;
  WebhookReceiver receiver_;
  std::string config_;
};

TEST_F(RelayProcessesTest, TwoRelaysDeliverEveryEventToEveryChannelExactlyOnce) {
  seed("");
  RelayProcess a(config_), b(config_);
  ASSERT_TRUE(a.waitFor("ready")) << a.output();
  ASSERT_TRUE(b.waitFor("ready")) << b.output();
  ASSERT_TRUE(allDelivered(180s)) << pending() << " not delivered";
  const long long by_a = a.stop(), by_b = b.stop();

  const std::map<std::string, int> seen = arrivals();
  EXPECT_EQ(seen.size(), 2u * kTenants * kEventsPerTenant);
  for (const auto& [key, times] : seen) EXPECT_EQ(times, 1) << key;
  EXPECT_EQ(sink_.mails().size(), 1u * kTenants * kEventsPerTenant);
  EXPECT_EQ(receiver_.hooks().size(), 1u * kTenants * kEventsPerTenant);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.notification_delivery"
                         " WHERE attempts = 1 AND state = 'delivered'"),
            2 * kTenants * kEventsPerTenant);
  // Both instances took part, and together they made each delivery once.
  EXPECT_GT(by_a, 0) << a.output();
  EXPECT_GT(by_b, 0) << b.output();
  EXPECT_EQ(by_a + by_b, 2 * kTenants * kEventsPerTenant);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.outbox_event WHERE sent_at IS NULL"), 0);
}

TEST_F(RelayProcessesTest, ARelayKilledMidDeliveryLosesNothing) {
  seed("/slow-50");  // each webhook takes 50 ms: the kill finds deliveries in flight
  RelayProcess a(config_), b(config_);
  ASSERT_TRUE(a.waitFor("ready")) << a.output();
  ASSERT_TRUE(b.waitFor("ready")) << b.output();
  ASSERT_TRUE(receiver_.waitForHooks(300, 120s));
  a.kill();
  const std::size_t at_kill = receiver_.hooks().size() + sink_.mails().size();
  EXPECT_LT(at_kill, 2u * kTenants * kEventsPerTenant) << "all delivered before the kill";

  // The killed relay's claims come back when their leases (30 s) run out; b delivers them.
  ASSERT_TRUE(allDelivered(240s)) << pending() << " not delivered";
  b.stop();
  const std::map<std::string, int> seen = arrivals();
  EXPECT_EQ(seen.size(), 2u * kTenants * kEventsPerTenant);  // none lost
  int repeats = 0;
  for (const auto& [key, times] : seen) repeats += times - 1;
  // At most what a's four workers had in flight when it died arrives twice.
  EXPECT_LE(repeats, 4);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.outbox_event WHERE sent_at IS NULL"), 0);
}

}  // namespace
}  // namespace creditgate::testing
