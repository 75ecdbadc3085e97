// Graceful shutdown: SIGTERM stops accepting, answers the requests in flight, and loses no
// decision a client was told about.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "money_audit.hpp"
#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

class ShutdownTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    db_.addTenant("acme", "EUR", 1'000'000'000);
    startServer(R"({"on_insufficient_credit": "block"})");
  }
};

TEST_F(ShutdownTest, ARequestInFlightIsAnsweredAndNewConnectionsAreRefused) {
  // Hold acme's row so that a decision waits in the ledger (the plugin's statement timeout is 5 s).
  pqxx::connection holder(db_.superuserDsn());
  pqxx::work lock(holder);
  lock.exec("SELECT 1 FROM creditgate.tenant WHERE tenant_id = 'acme' FOR UPDATE");

  std::optional<HttpReply> in_flight;
  std::string client_error;
  std::thread client([&] {
    try {
      HttpConnection connection(server_->port());
      in_flight = connection.request(
          "POST", "/v1/batches/slow/decide", batchJson("acme", germanRecipientsJson(2)),
          {{"Authorization", "Bearer " + gateway_key_}, {"Content-Type", "application/json"}});
    } catch (const std::exception& e) {
      client_error = e.what();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the request reaches the ledger
  server_->signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_THROW(HttpConnection{server_->port()}, std::runtime_error)
      << "a new connection was accepted after SIGTERM";
  EXPECT_EQ(server_->waitForExit(std::chrono::milliseconds(10)), -1)
      << "the server exited with a request in flight";

  lock.abort();  // the decision goes on
  client.join();
  ASSERT_TRUE(in_flight) << client_error << "\nserver stderr:\n" << server_->stderrText();
  EXPECT_EQ(in_flight->status, 200) << in_flight->body;
  EXPECT_EQ(in_flight->header("Connection"), "close");
  const int status = server_->waitForExit(std::chrono::seconds(15));
  ASSERT_NE(status, -1) << "still running 15 s after its last request";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << server_->stderrText();
  EXPECT_EQ(db_.balance("acme"), 1'000'000'000 - 2 * kEurGermanyMarketing);
}

TEST_F(ShutdownTest, UnderLoadEveryAnsweredDecisionIsInTheLedgerAndNoneIsLost) {
  std::mutex mutex;
  std::vector<Ack> acks;
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 16; ++t) {
    clients.emplace_back([&, t] {
      std::unique_ptr<HttpConnection> connection;
      for (int i = 0; !stop.load(); ++i) {
        const std::string id = "s" + std::to_string(t) + "-" + std::to_string(i);
        try {
          if (!connection) connection = std::make_unique<HttpConnection>(server_->port());
          const HttpReply reply = connection->request(
              "POST", "/v1/batches/" + id + "/decide",
              batchJson("acme", germanRecipientsJson(1, t * 100000 + i)),
              {{"Authorization", "Bearer " + gateway_key_}, {"Content-Type", "application/json"}},
              std::chrono::seconds(20));
          ASSERT_EQ(reply.status, 200) << reply.body;
          const auto verdict = json(reply);
          std::lock_guard lock(mutex);
          acks.push_back({"acme", id,
                          std::stoll(std::string(verdict.at("price_micros").as_string())),
                          verdict.at("replayed").as_bool()});
          answered.fetch_add(1);
          if (reply.header("Connection") == "close") connection.reset();
        } catch (const std::runtime_error&) {
          // Refused or closed without an answer: this request was not acknowledged.
          // (Only the main thread waits for the server: two waitpid callers would race for it.)
          connection.reset();
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    });
  }
  while (answered.load() < 300) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  server_->signal(SIGTERM);
  const int status = server_->waitForExit(std::chrono::seconds(20));
  stop.store(true);
  for (auto& c : clients) c.join();
  ASSERT_NE(status, -1) << "the server did not stop within 20 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << server_->stderrText();
  std::printf("[ shutdown ] %zu decisions answered before the server stopped\n", acks.size());
  // Every answered decision has its debit; and no debit exists that no client was told about: the
  // server answered everything it decided before it stopped.
  auditLedger(db_.connection(), acks, /*every_debit_acknowledged=*/true);
}

}  // namespace
}  // namespace creditgate::testing
