#include "server_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>
#include <utility>

namespace creditgate::server {
namespace {

// From a replayed decision (well under a millisecond) to a ledger at its statement deadline (2 s
// by default) and past it, so that both the fast path and the timeouts are resolved.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

}  // namespace

struct ServerMetrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("creditgate_http_requests_total")
          .Help("HTTP requests answered, by endpoint and status code")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("creditgate_http_request_duration_seconds")
          .Help("Time from a request's last byte read to its response handed to the socket")
          .Register(*registry);
  prometheus::Gauge& open = prometheus::BuildGauge()
                                .Name("creditgate_http_open_connections")
                                .Help("Client connections open now")
                                .Register(*registry)
                                .Add({});
  prometheus::Counter& refused = prometheus::BuildCounter()
                                     .Name("creditgate_http_connections_refused_total")
                                     .Help("Connections closed at once: limits.max_connections")
                                     .Register(*registry)
                                     .Add({});
  prometheus::Counter& timeouts =
      prometheus::BuildCounter()
          .Name("creditgate_http_client_timeouts_total")
          .Help("Connections closed because a client was too slow (header, body or idle)")
          .Register(*registry)
          .Add({});

  // Family::Add hashes the labels under the family's lock on every call; the series are few, so
  // they are looked up once and kept.
  std::mutex mutex;
  std::map<std::pair<std::string, int>, prometheus::Counter*> request_series;
  std::map<std::string, prometheus::Histogram*, std::less<>> latency_series;
  std::function<KeyLookups()> key_lookups;
};

ServerMetrics::ServerMetrics() : impl_(std::make_unique<Impl>()) {}
ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::observeRequest(std::string_view route, int status, double seconds) {
  prometheus::Counter* counter;
  prometheus::Histogram* histogram;
  {
    std::lock_guard lock(impl_->mutex);
    auto key = std::make_pair(std::string(route), status);
    auto found = impl_->request_series.find(key);
    if (found == impl_->request_series.end()) {
      counter = &impl_->requests.Add({{"route", key.first}, {"status", std::to_string(status)}});
      impl_->request_series.emplace(std::move(key), counter);
    } else {
      counter = found->second;
    }
    auto latency = impl_->latency_series.find(route);
    if (latency == impl_->latency_series.end()) {
      histogram = &impl_->latency.Add({{"route", std::string(route)}}, kLatencyBuckets);
      impl_->latency_series.emplace(std::string(route), histogram);
    } else {
      histogram = latency->second;
    }
  }
  counter->Increment();
  histogram->Observe(seconds);
}

void ServerMetrics::connectionOpened() {
  impl_->open.Increment();
}
void ServerMetrics::connectionClosed() {
  impl_->open.Decrement();
}
void ServerMetrics::connectionRefused() {
  impl_->refused.Increment();
}
void ServerMetrics::clientTimedOut() {
  impl_->timeouts.Increment();
}

void ServerMetrics::readKeyLookupsWith(std::function<KeyLookups()> read) {
  impl_->key_lookups = std::move(read);
}

std::string ServerMetrics::text() const {
  std::string text = prometheus::TextSerializer().Serialize(impl_->registry->Collect());
  if (impl_->key_lookups) {
    // Counted by the key store itself; written here rather than mirrored into a second counter.
    const KeyLookups counts = impl_->key_lookups();
    text +=
        "# HELP creditgate_http_key_lookups_total API key lookups sent to the database (cache "
        "misses)\n"
        "# TYPE creditgate_http_key_lookups_total counter\n"
        "creditgate_http_key_lookups_total " +
        std::to_string(counts.lookups) +
        "\n"
        "# HELP creditgate_http_key_lookup_failures_total Key lookups the database did not answer "
        "or refused\n"
        "# TYPE creditgate_http_key_lookup_failures_total counter\n"
        "creditgate_http_key_lookup_failures_total " +
        std::to_string(counts.failures) + "\n";
  }
  return text;
}

}  // namespace creditgate::server
