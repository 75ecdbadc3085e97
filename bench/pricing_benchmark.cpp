// Pricing a 100,000-recipient batch with RateSnapshot::price(), against the naive implementation a
// reviewer would write first (hash map of prefix strings, std::map of rates), in the same run; and
// the step before it, findBatchProblem() checking the same batch (every recipient's shape and
// calling code, duplicates), which the pricing figures do not include, with its calling-code lookup
// alone.
//
// The workload is the shipped 2025 WhatsApp market mapping (data/*.csv) with a made-up EUR and USD
// card, and recipients drawn from every market by a fixed-seed PRNG, so runs are comparable.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "batch_validation.hpp"
#include "calling_codes.hpp"
#include "category.hpp"
#include "csv_reader.hpp"
#include "rate_snapshot.hpp"

namespace creditgate {
namespace {

constexpr std::size_t kRecipients = 100'000;
constexpr std::uint64_t kSeed = 20250701;  // fixed: the same recipients in every run
constexpr std::int64_t kEurCard = 1;
constexpr std::int64_t kUsdCard = 2;
const std::string kDataDir = CREDITGATE_SOURCE_DIR "/data/";

// Calling codes no 2025 prefix lists, so Meta prices them as "Other" (checked at start-up).
constexpr std::string_view kUnlistedCodes[] = {"82", "98", "230", "299", "376", "670", "853"};
// US territories: +1 numbers whose area code row makes them Other, not North America
// (data/README.md).
constexpr std::string_view kUsTerritoryCodes[] = {"1340", "1670", "1671", "1684"};

// The rows after the header line, each with exactly `columns` cells.
std::vector<std::vector<std::string>> readCsv(const std::string& path, std::size_t columns) {
  std::vector<std::vector<std::string>> rows;
  for (auto& record : admin::readCsvFile(path)) {
    if (record.line == 1) continue;  // header
    if (record.cells.size() != columns) {
      throw std::runtime_error(path + " line " + std::to_string(record.line) + ": bad row");
    }
    rows.push_back(std::move(record.cells));
  }
  return rows;
}

// The real 2025 markets and prefixes; a card per currency with a distinct rate in every
// (market, category) cell, and "n/a" authentication_international in every third market.
RateData rateData2025() {
  RateData data;
  for (auto& row : readCsv(kDataDir + "markets_2025.csv", 1)) data.markets.push_back(row[0]);
  data.fallback_market = "Other";
  for (auto& row : readCsv(kDataDir + "market_prefixes_2025.csv", 2)) {
    data.prefixes.push_back({row[0], row[1]});
  }
  data.cards = {{kEurCard, "EUR"}, {kUsdCard, "USD"}};
  for (std::size_t market = 0; market < data.markets.size(); ++market) {
    for (const Category category : kAllCategories) {
      const auto cell =
          static_cast<std::int64_t>(market * kCategoryCount + static_cast<std::size_t>(category));
      std::optional<std::int64_t> eur = 4'100 + cell * 113;
      std::optional<std::int64_t> usd = 4'700 + cell * 127;
      if (category == Category::authentication_international && market % 3 == 0) {
        eur = usd = std::nullopt;
      }
      data.rates.push_back({kEurCard, data.markets[market], category, eur});
      data.rates.push_back({kUsdCard, data.markets[market], category, usd});
    }
  }
  return data;
}

// Valid E.164 numbers: mostly a uniformly chosen prefix row padded with random digits to 10-13
// digits (NANP: always 11), plus unlisted calling codes and US-territory +1 numbers (both Other).
// All distinct, as in a batch decide() accepts (a short NANP prefix leaves 7 random digits, so the
// generator does meet the odd duplicate; it draws again).
std::vector<std::string> recipients(const RateData& data) {
  std::mt19937_64 rng(kSeed);
  const auto below = [&rng](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  std::vector<std::string> numbers;
  numbers.reserve(kRecipients);
  std::unordered_set<std::string> drawn;
  while (numbers.size() < kRecipients) {
    std::string number = "+";
    const std::size_t kind = below(100);
    if (kind < 90) {
      number += data.prefixes[below(data.prefixes.size())].digits;
    } else if (kind < 95) {
      number += kUnlistedCodes[below(std::size(kUnlistedCodes))];
    } else {
      number += kUsTerritoryCodes[below(std::size(kUsTerritoryCodes))];
    }
    const std::size_t digits = number[1] == '1' ? 11 : 10 + below(4);
    while (number.size() < digits + 1) number += static_cast<char>('0' + below(10));
    if (drawn.insert(number).second) numbers.push_back(std::move(number));
  }
  return numbers;
}

// The obvious implementation: every prefix length, longest first, as a std::string key into a hash
// map, then the rate from an ordered map keyed by (market, category).
class NaivePricer {
 public:
  struct Result {
    bool ok = true;
    std::vector<std::int64_t> unit_prices;
    std::vector<MarketIndex> markets;
    std::int64_t total_micros = 0;
  };

  NaivePricer(const RateData& data, std::int64_t card_id) {
    std::unordered_map<std::string, MarketIndex> market_index;
    for (std::size_t i = 0; i < data.markets.size(); ++i) {
      market_index[data.markets[i]] = static_cast<MarketIndex>(i);
    }
    fallback_ = market_index.at(data.fallback_market);
    for (const auto& prefix : data.prefixes) {
      market_by_prefix_[prefix.digits] = market_index.at(prefix.market);
    }
    for (const auto& rate : data.rates) {
      if (rate.card_id == card_id && rate.micros) {
        rates_[{market_index.at(rate.market), rate.category}] = *rate.micros;
      }
    }
  }

  Result price(Category category, std::span<const std::string_view> recipients) const {
    Result result;
    result.unit_prices.reserve(recipients.size());
    result.markets.reserve(recipients.size());
    for (const std::string_view recipient : recipients) {
      const std::string digits(recipient.substr(1));
      MarketIndex market = fallback_;
      for (std::size_t length = std::min<std::size_t>(15, digits.size()); length >= 1; --length) {
        const auto it = market_by_prefix_.find(digits.substr(0, length));
        if (it != market_by_prefix_.end()) {
          market = it->second;
          break;
        }
      }
      const auto rate = rates_.find({market, category});
      if (rate == rates_.end()) {
        result.ok = false;
        return result;
      }
      result.unit_prices.push_back(rate->second);
      result.markets.push_back(market);
      result.total_micros += rate->second;
    }
    return result;
  }

 private:
  std::unordered_map<std::string, MarketIndex> market_by_prefix_;
  MarketIndex fallback_ = 0;
  std::map<std::pair<MarketIndex, Category>, std::int64_t> rates_;
};

// Built once for both benchmarks; `error` is set when the two implementations disagree.
struct Workload {
  RateData data = rateData2025();
  RateSnapshot snapshot{data};
  NaivePricer naive{data, kEurCard};
  std::vector<std::string> numbers = recipients(data);
  std::vector<std::string_view> views = {numbers.begin(), numbers.end()};
  api::Batch batch{"bench-tenant", "bench-batch-1", "spring-sale", "spring_offer", "marketing",
                   views};
  std::string error = check();

  std::string check() const {
    std::set<MarketIndex> reached;
    for (const std::string_view number : views) reached.insert(snapshot.marketOf(number));
    if (reached.size() != snapshot.marketCount()) {
      return "recipients reach " + std::to_string(reached.size()) + " of " +
             std::to_string(snapshot.marketCount()) + " markets";
    }
    for (const std::string_view code : kUnlistedCodes) {
      if (snapshot.marketName(snapshot.marketOf("+" + std::string(code) + "1234567")) != "Other") {
        return "calling code " + std::string(code) + " is listed; pick another unlisted one";
      }
    }
    Category category{};
    if (const auto problem = findBatchProblem(batch, kRecipients, category)) {
      return "the batch does not validate: " + problem->detail;
    }
    const PricedBatch fast = snapshot.price("EUR", Category::marketing, views);
    const NaivePricer::Result slow = naive.price(Category::marketing, views);
    if (fast.reason != api::Reason::ok || !slow.ok) return "a recipient has no marketing rate";
    if (fast.total_micros != slow.total_micros || fast.unit_prices != slow.unit_prices ||
        fast.markets != slow.markets) {
      return "snapshot total " + std::to_string(fast.total_micros) + " != naive total " +
             std::to_string(slow.total_micros);
    }
    return {};
  }
};

const Workload& workload() {
  static const Workload instance;
  return instance;
}

// Time per recipient: a rate counter is divided by the CPU seconds of the run, and kInvert turns
// recipients per second into seconds per recipient. The console prints it with an SI prefix
// ("12.9ns"); the JSON output holds plain seconds (1.29e-08), which scripts/bench-pricing converts.
void reportPerRecipient(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(kRecipients));
  state.counters["ns_per_recipient"] = benchmark::Counter(
      static_cast<double>(kRecipients),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_PriceBatch100k(benchmark::State& state) {
  const Workload& w = workload();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  for (auto _ : state) {
    PricedBatch batch = w.snapshot.price("EUR", Category::marketing, w.views);
    benchmark::DoNotOptimize(batch);
  }
  reportPerRecipient(state);
  state.counters["snapshot_bytes"] =
      benchmark::Counter(static_cast<double>(w.snapshot.memoryBytes()));
}
BENCHMARK(BM_PriceBatch100k)->Unit(benchmark::kMillisecond);

void BM_NaiveBaseline100k(benchmark::State& state) {
  const Workload& w = workload();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  for (auto _ : state) {
    NaivePricer::Result batch = w.naive.price(Category::marketing, w.views);
    benchmark::DoNotOptimize(batch);
  }
  reportPerRecipient(state);
}
BENCHMARK(BM_NaiveBaseline100k)->Unit(benchmark::kMillisecond);

// What decide() does to the same batch before pricing it: every field and recipient checked.
void BM_ValidateBatch100k(benchmark::State& state) {
  const Workload& w = workload();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  for (auto _ : state) {
    Category category{};
    auto problem = findBatchProblem(w.batch, kRecipients, category);
    benchmark::DoNotOptimize(problem);
  }
  reportPerRecipient(state);
}
BENCHMARK(BM_ValidateBatch100k)->Unit(benchmark::kMillisecond);

// The part of validation that refuses unassigned calling codes, alone.
void BM_CallingCodeLookup100k(benchmark::State& state) {
  const Workload& w = workload();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  for (auto _ : state) {
    std::size_t digits = 0;
    for (const std::string_view number : w.views) {
      digits += assignedCallingCodeLength(number.substr(1));
    }
    benchmark::DoNotOptimize(digits);
  }
  reportPerRecipient(state);
}
BENCHMARK(BM_CallingCodeLookup100k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace creditgate

BENCHMARK_MAIN();
