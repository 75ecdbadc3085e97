// decision_load: concurrent decide() load against the REAL plugin .so and a real PostgreSQL ledger.
//
// Loads the plugin exactly as a gateway does (creditgate::api::loadCreditGate, nothing of the
// plugin's internals is linked), then N threads each loop: build a batch with a unique batch id and
// distinct German mobile recipients (+49151xxxxxxxx, category marketing), decide() it, record the
// latency. After a warm-up, the measured window counts decisions per decision kind and errors
// (ledger_unavailable, ledger_timeout, internal_error) and reports decisions/s and latency
// percentiles, plus the process RSS at the start and end of the window (and every --rss-every S).
//
// --http HOST:PORT instead of --plugin/--config: the same loop, the same batches and the same
// measurement, but each decide() is a POST /v1/batches/{id}/decide to creditgate-server over one
// keep-alive connection per thread (bench/http_decider.hpp), with the API key read from
// --key-file. The latency then covers the whole round trip as the client sees it: writing the
// request, the server, reading and parsing the answer. Answers without a verdict (401, 500, a
// broken connection) count as errors.
//
// --pause-us N: each thread sleeps N microseconds after each decision, outside the timed call: a
// client that is away from the plugin between its decisions, as an HTTP client is while its
// answer and its next request travel. Shows what such an absence does to the group commit.
//
// Hot path: no locks, no allocation. Each thread owns its recipient strings (digits rewritten in
// place) and a latency buffer that is sized AND touched before the measured window, so RSS growth
// over the window is the plugin's, not the harness's (unless the buffer has to grow: reported).
//
// Usage: decision_load (--plugin PATH --config FILE | --http HOST:PORT --key-file FILE)
//                      [--threads 32] [--tenants 1] [--recipients 1] [--seconds 30] [--warmup 5]
//                      [--label TEXT] [--json-out FILE] [--rss-every S] [--run-id TEXT]
//                      [--pause-us N]
// --tenants 1: the single tenant "hot"; N > 1: tenants t0000 .. t(N-1), 4+ digits, chosen at
// random. Exit: 0 run done (timings are reported, never judged), 2 usage, 3 plugin load failure.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "creditgate/plugin_loader.hpp"
#include "http_decider.hpp"

namespace {

namespace api = creditgate::api;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string plugin;
  std::string config;
  std::string http_host;  // --http: creditgate-server instead of the plugin in-process
  std::uint16_t http_port = 0;
  std::string key_file;
  int threads = 32;
  int tenants = 1;
  int recipients = 1;
  double seconds = 30;
  double warmup = 5;
  double rss_every = 0;
  double pause_us = 0;
  std::string label = "decision_load";
  std::string json_out;
  std::string run_id;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr
      << "decision_load: " << problem << "\n"
      << "usage: decision_load (--plugin PATH --config FILE | --http HOST:PORT --key-file FILE)\n"
         "                     [--threads N] [--tenants N] [--recipients N] [--seconds S]\n"
         "                     [--warmup S] [--label TEXT] [--json-out FILE] [--rss-every S]\n"
         "                     [--run-id TEXT] [--pause-us N]\n";
  std::exit(2);
}

// --http HOST:PORT (or http://HOST:PORT).
void setHttpTarget(Options& o, std::string where) {
  if (where.rfind("http://", 0) == 0) where.erase(0, 7);
  const std::size_t colon = where.rfind(':');
  unsigned port = 0;
  if (colon == std::string::npos ||
      std::from_chars(where.data() + colon + 1, where.data() + where.size(), port).ec !=
          std::errc() ||
      port == 0 || port > 65535) {
    usage("--http needs HOST:PORT, got " + where);
  }
  o.http_host = where.substr(0, colon);
  o.http_port = static_cast<std::uint16_t>(port);
}

Options parseOptions(int argc, char** argv) {
  Options o;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  auto number = [&](int& i) -> double {
    std::string name = argv[i];
    std::string text = value(i);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v >= 0)) usage(name + ": not a number >= 0: " + text);
    return v;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--plugin") o.plugin = value(i);
    else if (arg == "--config") o.config = value(i);
    else if (arg == "--http")
      setHttpTarget(o, value(i));
    else if (arg == "--key-file")
      o.key_file = value(i);
    else if (arg == "--threads") o.threads = static_cast<int>(number(i));
    else if (arg == "--tenants") o.tenants = static_cast<int>(number(i));
    else if (arg == "--recipients") o.recipients = static_cast<int>(number(i));
    else if (arg == "--seconds") o.seconds = number(i);
    else if (arg == "--warmup") o.warmup = number(i);
    else if (arg == "--rss-every") o.rss_every = number(i);
    else if (arg == "--pause-us")
      o.pause_us = number(i);
    else if (arg == "--label") o.label = value(i);
    else if (arg == "--json-out") o.json_out = value(i);
    else if (arg == "--run-id") o.run_id = value(i);
    else if (arg == "--help" || arg == "-h") usage("help");
    else usage("unknown option " + std::string(arg));
  }
  if (o.http_host.empty()) {
    if (o.plugin.empty() || o.config.empty()) usage("--plugin and --config are required");
  } else if (o.key_file.empty() || !o.plugin.empty() || !o.config.empty()) {
    usage("--http needs --key-file, and no --plugin or --config");
  }
  if (o.threads < 1 || o.threads > 1024) usage("--threads must be 1..1024");
  if (o.tenants < 1 || o.tenants > 100000) usage("--tenants must be 1..100000");
  if (o.recipients < 1 || o.recipients > 10000) usage("--recipients must be 1..10000");
  if (o.seconds <= 0) usage("--seconds must be > 0");
  return o;
}

// VmRSS of this process in KiB (0 if unreadable).
long rssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

class BenchServices final : public api::HostServices {
 public:
  void log(api::LogLevel level, std::string_view message) noexcept override {
    if (level < api::LogLevel::warning) return;  // info/debug would only disturb the timing
    std::lock_guard lock(mutex_);
    std::fprintf(stderr, "[plugin %s] %.*s\n", level == api::LogLevel::error ? "error" : "warning",
                 static_cast<int>(message.size()), message.data());
  }
  bool notify(const api::Notification&) noexcept override { return true; }
  std::int64_t nowUnixMicros() noexcept override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

 private:
  std::mutex mutex_;
};

// 0 warm-up, 1 measuring, 2 stop.
std::atomic<int> g_phase{0};

struct alignas(64) ThreadResult {
  std::vector<std::uint32_t> latency_us;  // measured window only; pre-sized, filled up to `samples`
  std::size_t samples = 0;
  std::atomic<std::uint64_t> completed{0};  // all decisions so far (warm-up too), for --rss-every
  bool buffer_grew = false;
  std::uint64_t allow = 0, flagged = 0, partial = 0, block = 0;
  std::uint64_t errors = 0;            // ledger_unavailable, ledger_timeout, internal_error
  std::uint64_t replayed = 0;
  std::uint64_t other_blocks = 0;      // blocks for any other reason (insufficient credit, ...)
  std::uint64_t warmup_decisions = 0;
  std::uint64_t connects = 0;          // --http: connections opened (1 per thread when all is well)
  std::uint64_t non_200 = 0;           // --http: answers with another status than 200
  std::string first_error;             // detail of the first error / unexpected block
};

void writeDigits(char* out, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// decide: api::Verdict(const api::Batch&), the plugin's decide() or HttpDecider's.
template <typename Decide>
void runThread(Decide&& decide, const Options& o, const std::vector<std::string>& tenants,
               int index, ThreadResult& result) {
  constexpr std::string_view kPrefix = "+49151";
  constexpr int kDigits = 8;  // +49 151 xxxxxxxx: a German mobile number
  constexpr std::uint64_t kSpace = 100'000'000;
  std::vector<std::string> recipients(static_cast<std::size_t>(o.recipients),
                                      std::string(kPrefix) + std::string(kDigits, '0'));
  std::vector<std::string_view> views(recipients.begin(), recipients.end());
  std::string batch_id = o.run_id + "-" + std::to_string(index) + "-";
  const std::size_t id_prefix = batch_id.size();
  std::mt19937_64 random(0x9E3779B97F4A7C15ULL ^ static_cast<std::uint64_t>(index));
  std::uniform_int_distribution<std::size_t> pick(0, tenants.size() - 1);
  const auto recipients_count = static_cast<std::uint64_t>(o.recipients);
  std::uint64_t counter = 0;

  for (;;) {
    int phase = g_phase.load(std::memory_order_relaxed);
    if (phase == 2) break;
    ++counter;
    batch_id.resize(id_prefix);
    // In place: batch_id reallocates only when the counter gains a digit.
    char digits[20];
    batch_id.append(digits, std::to_chars(digits, digits + sizeof digits, counter).ptr);
    // Consecutive numbers from a per-batch base: distinct within the batch.
    std::uint64_t base = (random() % (kSpace - recipients_count));
    for (std::uint64_t j = 0; j < recipients_count; ++j) {
      writeDigits(recipients[j].data() + kPrefix.size(), base + j, kDigits);
    }
    const std::string& tenant = tenants.size() == 1 ? tenants[0] : tenants[pick(random)];
    api::Batch batch{tenant, batch_id, "bench", "bench_template", "marketing", views};

    auto start = Clock::now();
    api::Verdict verdict = decide(batch);
    auto elapsed = Clock::now() - start;
    result.completed.store(result.completed.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);  // single writer: no locked instruction
    if (o.pause_us > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double, std::micro>(o.pause_us));
    }

    if (phase == 0) {
      ++result.warmup_decisions;
      continue;
    }
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    auto value = static_cast<std::uint32_t>(std::min<std::int64_t>(us, UINT32_MAX));
    if (result.samples < result.latency_us.size()) {
      result.latency_us[result.samples] = value;
    } else {
      result.latency_us.push_back(value);
      result.buffer_grew = true;
    }
    ++result.samples;
    if (verdict.replayed) ++result.replayed;
    switch (verdict.decision) {
      case api::Decision::allow: ++result.allow; break;
      case api::Decision::allow_flagged: ++result.flagged; break;
      case api::Decision::allow_partial: ++result.partial; break;
      case api::Decision::block: ++result.block; break;
    }
    bool error = verdict.reason == api::Reason::internal_error ||
                 verdict.reason == api::Reason::ledger_unavailable ||
                 verdict.reason == api::Reason::ledger_timeout;
    if (error) ++result.errors;
    else if (verdict.decision == api::Decision::block) ++result.other_blocks;
    if ((error || verdict.decision == api::Decision::block) && result.first_error.empty()) {
      result.first_error = std::string(api::reasonCode(verdict.reason)) + ": " + verdict.detail;
    }
  }
}

double percentileMs(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  // Nearest rank.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1] / 1000.0;
}

std::string jsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') { out += '\\'; out += c; }
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parseOptions(argc, argv);
  if (o.run_id.empty()) {
    // Unique per run, so that a second run against the same ledger decides new batches.
    // "dl" in-process, "dh" over HTTP: the ledger tells the two apart.
    o.run_id =
        (o.http_host.empty() ? "dl" : "dh") + std::to_string(::getpid()) + "x" +
        std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
  }

  std::vector<std::string> tenants;
  if (o.tenants == 1) {
    tenants.emplace_back("hot");
  } else {
    int width = std::max<int>(4, static_cast<int>(std::to_string(o.tenants - 1).size()));
    for (int t = 0; t < o.tenants; ++t) {
      std::string digits = std::to_string(t);
      tenants.push_back("t" + std::string(static_cast<std::size_t>(width) - digits.size(), '0') +
                        digits);
    }
  }

  BenchServices services;
  std::shared_ptr<api::CreditGate> gate;
  std::string key;
  if (o.http_host.empty()) {
    std::string error;
    gate = api::loadCreditGate(
        o.plugin, api::PluginContext{.config_path = o.config, .services = &services}, error);
    if (!gate) {
      std::cerr << "decision_load: " << error << '\n';
      return 3;
    }
  } else {
    std::ifstream in(o.key_file);
    std::getline(in, key);
    while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
    if (key.empty()) usage("--key-file " + o.key_file + ": no API key in its first line");
  }

  // Latency buffers: sized for far more decisions than a 2-core machine makes (50,000/s over the
  // window, split over the threads, at least 100,000 each) and touched now, before the window.
  std::vector<ThreadResult> results(static_cast<std::size_t>(o.threads));
  const auto per_thread = static_cast<std::size_t>(
      std::max(100000.0, 50000.0 * o.seconds / o.threads * (o.threads == 1 ? 0.2 : 1.0)));
  for (auto& r : results) r.latency_us.assign(per_thread, 0);

  const std::string target = o.http_host.empty()
                                 ? "plugin " + o.plugin + ", config " + o.config
                                 : "http://" + o.http_host + ":" + std::to_string(o.http_port) +
                                       " (creditgate-server, one keep-alive connection per thread)";
  std::printf(
      "[%s] %s, threads %d, tenants %d, recipients/batch %d, "
      "warm-up %.0f s, measure %.0f s, run id %s\n",
      o.label.c_str(), target.c_str(), o.threads, o.tenants, o.recipients, o.warmup, o.seconds,
      o.run_id.c_str());
  if (o.pause_us > 0) {
    std::printf("[%s] each thread pauses %.0f us after each decision (not timed)\n",
                o.label.c_str(), o.pause_us);
  }
  std::fflush(stdout);

  std::vector<std::thread> workers;
  workers.reserve(results.size());
  for (int i = 0; i < o.threads; ++i) {
    ThreadResult& result = results[static_cast<std::size_t>(i)];
    if (gate) {
      workers.emplace_back([&gate, &o, &tenants, i, &result] {
        runThread([&gate](const api::Batch& batch) { return gate->decide(batch); }, o, tenants, i,
                  result);
      });
    } else {
      workers.emplace_back([&o, &tenants, &key, i, &result] {
        creditgate::bench::HttpDecider client(o.http_host, o.http_port, key);
        runThread([&client](const api::Batch& batch) { return client.decide(batch); }, o, tenants,
                  i, result);
        result.connects = client.connects();
        result.non_200 = client.non200();
      });
    }
  }

  auto sleepFor = [](double seconds) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  };
  sleepFor(o.warmup);
  const long rss_start = rssKib();
  long rss_max = rss_start;
  auto measure_start = Clock::now();
  g_phase.store(1, std::memory_order_relaxed);
  std::printf("[%s] measuring; RSS at start of measure %.1f MB\n", o.label.c_str(),
              rss_start / 1024.0);
  std::fflush(stdout);

  const auto measure_end = measure_start + std::chrono::duration<double>(o.seconds);
  auto completed = [&results] {
    std::uint64_t n = 0;
    for (const auto& r : results) n += r.completed.load(std::memory_order_relaxed);
    return n;
  };
  if (o.rss_every > 0) {
    auto next = measure_start + std::chrono::duration<double>(o.rss_every);
    std::uint64_t last_count = completed();
    auto last_time = Clock::now();
    while (next <= measure_end) {
      std::this_thread::sleep_until(
          std::chrono::time_point_cast<Clock::duration>(next));
      long rss = rssKib();
      rss_max = std::max(rss_max, rss);
      auto now = Clock::now();
      std::uint64_t count = completed();
      std::printf("[%s] rss t=%.0fs VmRSS=%.1f MB (growth since start of measure %+.1f MB), "
                  "%.0f decisions/s over the last interval\n",
                  o.label.c_str(), std::chrono::duration<double>(now - measure_start).count(),
                  rss / 1024.0, (rss - rss_start) / 1024.0,
                  static_cast<double>(count - last_count) /
                      std::chrono::duration<double>(now - last_time).count());
      last_count = count;
      last_time = now;
      std::fflush(stdout);
      next += std::chrono::duration<double>(o.rss_every);
    }
  }
  std::this_thread::sleep_until(std::chrono::time_point_cast<Clock::duration>(measure_end));
  g_phase.store(2, std::memory_order_relaxed);
  const long rss_end = rssKib();
  rss_max = std::max(rss_max, rss_end);
  const double window =
      std::chrono::duration<double>(Clock::now() - measure_start).count();
  for (auto& w : workers) w.join();

  ThreadResult total;
  std::vector<std::uint32_t> all;
  std::size_t samples = 0;
  for (const auto& r : results) samples += r.samples;
  all.reserve(samples);
  for (const auto& r : results) {
    all.insert(all.end(), r.latency_us.begin(),
               r.latency_us.begin() + static_cast<std::ptrdiff_t>(r.samples));
    total.allow += r.allow;
    total.flagged += r.flagged;
    total.partial += r.partial;
    total.block += r.block;
    total.errors += r.errors;
    total.replayed += r.replayed;
    total.other_blocks += r.other_blocks;
    total.warmup_decisions += r.warmup_decisions;
    total.connects += r.connects;
    total.non_200 += r.non_200;
    total.buffer_grew = total.buffer_grew || r.buffer_grew;
    if (total.first_error.empty()) total.first_error = r.first_error;
  }
  std::sort(all.begin(), all.end());
  const double per_second = static_cast<double>(all.size()) / window;
  const double p50 = percentileMs(all, 50), p99 = percentileMs(all, 99),
               p999 = percentileMs(all, 99.9);
  const double max_ms = all.empty() ? 0 : all.back() / 1000.0;
  double mean_ms = 0;
  for (auto v : all) mean_ms += v;
  mean_ms = all.empty() ? 0 : mean_ms / static_cast<double>(all.size()) / 1000.0;

  std::printf("[%s] decisions %zu in %.2f s: %.1f decisions/s (%.1f recipients/s)\n",
              o.label.c_str(), all.size(), window, per_second, per_second * o.recipients);
  std::printf("[%s] latency ms: p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f\n",
              o.label.c_str(), p50, p99, p999, max_ms, mean_ms);
  std::printf("[%s] allow %" PRIu64 "  allow_flagged %" PRIu64 "  allow_partial %" PRIu64
              "  block %" PRIu64 " (errors %" PRIu64 ", other blocks %" PRIu64 ")  replayed %" PRIu64
              "  warm-up decisions %" PRIu64 "\n",
              o.label.c_str(), total.allow, total.flagged, total.partial, total.block, total.errors,
              total.other_blocks, total.replayed, total.warmup_decisions);
  std::printf("[%s] RSS MB: start of measure %.1f  end %.1f  max %.1f  growth %+.1f\n",
              o.label.c_str(), rss_start / 1024.0, rss_end / 1024.0, rss_max / 1024.0,
              (rss_end - rss_start) / 1024.0);
  if (!o.http_host.empty()) {
    std::printf("[%s] http: %" PRIu64 " connections opened for %d threads, %" PRIu64
                " answers other than 200 (warm-up included)\n",
                o.label.c_str(), total.connects, o.threads, total.non_200);
  }
  if (!total.first_error.empty()) {
    std::printf("[%s] first error/block: %s\n", o.label.c_str(), total.first_error.c_str());
  }
  if (total.buffer_grew) {
    std::printf("[%s] note: a latency buffer had to grow during the window (RSS includes it)\n",
                o.label.c_str());
  }
  std::fflush(stdout);

  if (!o.json_out.empty()) {
    std::ostringstream j;
    j.setf(std::ios::fixed);
    j.precision(3);
    j << "{\"label\":" << jsonString(o.label)
      << ",\"transport\":" << (o.http_host.empty() ? "\"plugin\"" : "\"http\"")
      << ",\"threads\":" << o.threads << ",\"tenants\":" << o.tenants
      << ",\"recipients\":" << o.recipients << ",\"pause_us\":" << o.pause_us
      << ",\"seconds\":" << window << ",\"decisions\":" << all.size()
      << ",\"decisions_per_s\":" << per_second << ",\"p50_ms\":" << p50 << ",\"p99_ms\":" << p99
      << ",\"p999_ms\":" << p999 << ",\"max_ms\":" << max_ms << ",\"mean_ms\":" << mean_ms
      << ",\"allow\":" << total.allow << ",\"allow_flagged\":" << total.flagged
      << ",\"allow_partial\":" << total.partial << ",\"block\":" << total.block
      << ",\"errors\":" << total.errors << ",\"other_blocks\":" << total.other_blocks
      << ",\"replayed\":" << total.replayed << ",\"warmup_decisions\":" << total.warmup_decisions
      << ",\"rss_start_mb\":" << rss_start / 1024.0 << ",\"rss_end_mb\":" << rss_end / 1024.0
      << ",\"rss_max_mb\":" << rss_max / 1024.0 << ",\"connects\":" << total.connects
      << ",\"http_non_200\":" << total.non_200
      << ",\"first_error\":" << jsonString(total.first_error) << "}\n";
    std::ofstream out(o.json_out);
    out << j.str();
    if (!out) std::cerr << "decision_load: cannot write " << o.json_out << '\n';
  }

  gate.reset();  // before the services it borrows (none over --http)
  return 0;
}
