// Test helper process: one outreach service under load over HTTP, for the HTTP money audit
// (several of these run at once against one creditgate-server). THREADS threads each decide
// BATCHES batches with POST /v1/batches/{id}/decide on a keep-alive connection: tenants t00..t19,
// the hot tenant t00 gets half; 1 to 3 German recipients; ids unique per process, thread, counter.
// As real clients do, a request whose answer does not come (connection dropped, timeout, 503) is
// sent again with the same id and body until an answer comes. And as real networks do, one request
// in DROP_EVERY is abandoned right after it is sent (the connection closed before the answer is
// read), then retried on a new connection. Every 10th batch is also sent again on purpose.
// Each verdict is printed as one line, flushed:
//   ack <tenant> <batch_id> <decision> <charged_micros> <replayed 0|1>
// and at the end: `done <process> dropped <n> retried <n>`.
//
//   http_load_client PORT API_KEY PROCESS_INDEX THREADS BATCHES SEED DROP_EVERY
#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"

namespace {

using creditgate::testing::HttpConnection;
using creditgate::testing::HttpReply;

std::mutex g_out;
std::atomic<int> g_dropped{0};
std::atomic<int> g_retried{0};

struct Options {
  unsigned short port = 0;
  std::string key;
  int process = 0;
  int threads = 1;
  int batches = 1;
  unsigned seed = 1;
  int drop_every = 0;
};

std::string tenantName(int index) {
  return std::string("t") + (index < 10 ? "0" : "") + std::to_string(index);
}

class Client {
 public:
  explicit Client(const Options& options) : options_(options) {}

  // Sends until a verdict comes back (200, or 409 for a conflict, which these ids never have).
  void decide(const std::string& tenant, const std::string& batch_id, const std::string& body,
              bool may_drop, std::mt19937& rng) {
    const std::string target = "/v1/batches/" + batch_id + "/decide";
    const std::string request =
        "POST " + target +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nAuthorization: Bearer " +
        options_.key + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (int attempt = 0; attempt < 600; ++attempt) {
      if (attempt > 0) g_retried.fetch_add(1);
      try {
        if (!connection_) connection_ = std::make_unique<HttpConnection>(options_.port);
        connection_->sendRaw(request);
        if (may_drop && attempt == 0 && options_.drop_every > 0 &&
            rng() % static_cast<unsigned>(options_.drop_every) == 0) {
          connection_.reset();  // gone before the answer: the client cannot know what happened
          g_dropped.fetch_add(1);
          continue;
        }
        std::optional<HttpReply> reply = connection_->readReply(std::chrono::seconds(10));
        if (!reply) {
          connection_.reset();
          continue;
        }
        if (reply->header("connection") == "close") connection_.reset();
        if (reply->status == 503) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
        const boost::json::object verdict = boost::json::parse(reply->body).as_object();
        std::lock_guard lock(g_out);
        std::printf("ack %s %s %s %s %d\n", tenant.c_str(), batch_id.c_str(),
                    verdict.at("decision").as_string().c_str(),
                    verdict.at("price_micros").as_string().c_str(),
                    verdict.at("replayed").as_bool() ? 1 : 0);
        if (reply->status != 200)
          std::printf("error %s %s status %d\n", tenant.c_str(), batch_id.c_str(), reply->status);
        std::fflush(stdout);
        return;
      } catch (const std::exception&) {
        connection_.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    std::lock_guard lock(g_out);
    std::printf("error %s %s no verdict after 600 attempts\n", tenant.c_str(), batch_id.c_str());
    std::fflush(stdout);
  }

 private:
  const Options& options_;
  std::unique_ptr<HttpConnection> connection_;
};

void worker(const Options& options, int thread) {
  std::mt19937 rng(options.seed * 7919u + static_cast<unsigned>(options.process) * 131u +
                   static_cast<unsigned>(thread));
  Client client(options);
  for (int i = 0; i < options.batches; ++i) {
    const std::string tenant =
        rng() % 2 == 0 ? tenantName(0) : tenantName(1 + static_cast<int>(rng() % 19));
    const std::string batch_id = "h" + std::to_string(options.process) + "-t" +
                                 std::to_string(thread) + "-b" + std::to_string(i);
    const int recipients = 1 + static_cast<int>(rng() % 3);
    std::string list;
    for (int k = 0; k < recipients; ++k) {
      const long number = 10000000L + options.process * 10000000L + thread * 1000000L + i * 3L + k;
      list += (k ? ",\"" : "\"") + std::string("+49151") + std::to_string(number) + "\"";
    }
    const std::string body =
        R"({"tenant":")" + tenant +
        R"(","campaign":"load","template":"offer_v1","category":"marketing","recipients":[)" +
        list + "]}";
    client.decide(tenant, batch_id, body, true, rng);
    if (i % 10 == 9) client.decide(tenant, batch_id, body, false, rng);  // a deliberate retry
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr
        << "usage: http_load_client PORT API_KEY PROCESS_INDEX THREADS BATCHES SEED DROP_EVERY\n";
    return 2;
  }
  Options options;
  options.port = static_cast<unsigned short>(std::stoi(argv[1]));
  options.key = argv[2];
  options.process = std::stoi(argv[3]);
  options.threads = std::stoi(argv[4]);
  options.batches = std::stoi(argv[5]);
  options.seed = static_cast<unsigned>(std::stoul(argv[6]));
  options.drop_every = std::stoi(argv[7]);
  if (options.process < 0 || options.process > 8 || options.threads < 1 || options.threads > 9 ||
      options.batches < 1 || options.batches > 300000 || options.drop_every < 0) {
    std::cerr << "http_load_client: PROCESS_INDEX 0..8, THREADS 1..9, BATCHES 1..300000\n";
    return 2;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < options.threads; ++t)
    pool.emplace_back([&options, t] { worker(options, t); });
  for (auto& thread : pool) thread.join();
  std::printf("done %d dropped %d retried %d\n", options.process, g_dropped.load(),
              g_retried.load());
  std::fflush(stdout);
  return 0;
}
