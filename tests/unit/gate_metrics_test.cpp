// What an SRE's first scrape shows: every series a decision or a money movement can touch is there
// at 0 before it happens, so rate() and increase() count the first one (a series that appears with
// its first increment has no earlier sample to count from).
#include "gate_metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace creditgate {
namespace {

MetricsOptions textOnly() {
  MetricsOptions options;
  options.listen = "";  // no endpoint: many tests, one port
  return options;
}

// The sample lines of one metric in a text exposition ("name{labels} value").
std::vector<std::string> samplesOf(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + "{", 0) == 0) out.push_back(line);
  }
  return out;
}

bool has(const std::string& text, const std::string& sample) {
  return text.find(sample + "\n") != std::string::npos;
}

std::string decisionSample(const char* category, const char* decision, const char* reason,
                           int value) {
  return std::string("creditgate_decisions_total{category=\"") + category + "\",decision=\"" +
         decision + "\",reason=\"" + reason + "\"} " + std::to_string(value);
}

TEST(GateMetricsTest, FreshMetricsShowEveryDecisionAVerdictCanCarryAtZero) {
  const GateMetrics metrics(textOnly());
  const std::string text = metrics.text();
  for (const char* category :
       {"marketing", "utility", "authentication", "authentication_international", "service"}) {
    EXPECT_TRUE(has(text, decisionSample(category, "allow", "ok", 0))) << category;
    EXPECT_TRUE(has(text, decisionSample(category, "allow_flagged", "overdraft", 0))) << category;
    EXPECT_TRUE(has(text, decisionSample(category, "allow_partial", "partial_credit", 0)))
        << category;
    EXPECT_TRUE(has(text, decisionSample(category, "allow_flagged", "ledger_unavailable", 0)))
        << category;
    EXPECT_TRUE(has(text, decisionSample(category, "block", "ledger_unavailable", 0))) << category;
    EXPECT_TRUE(has(text, decisionSample(category, "block", "ledger_in_doubt", 0))) << category;
    EXPECT_TRUE(has(text, decisionSample(category, "block", "insufficient_credit", 0))) << category;
  }
  // A batch whose category does not parse is refused before or at the category check.
  EXPECT_TRUE(has(text, decisionSample("invalid", "block", "unknown_category", 0)));
  EXPECT_TRUE(has(text, decisionSample("invalid", "block", "invalid_tenant_id", 0)));
  for (const char* decision : {"allow", "allow_flagged", "allow_partial", "block"}) {
    EXPECT_TRUE(
        has(text, std::string("creditgate_recipients_total{decision=\"") + decision + "\"} 0"))
        << decision;
  }
}

TEST(GateMetricsTest, FreshMetricsShowNoDecisionAVerdictCannotCarry) {
  const GateMetrics metrics(textOnly());
  const std::string text = metrics.text();
  // 23 (decision, reason) pairs x 5 categories + 6 reasons x category "invalid".
  EXPECT_EQ(samplesOf(text, "creditgate_decisions_total").size(), 121u) << text;
  EXPECT_EQ(text.find("reason=\"unknown_batch\""), std::string::npos);    // report() only
  EXPECT_EQ(text.find("reason=\"invalid_outcome\""), std::string::npos);  // report() only
  EXPECT_FALSE(has(text, decisionSample("marketing", "allow", "insufficient_credit", 0)));
  EXPECT_FALSE(has(text, decisionSample("marketing", "block", "unknown_category", 0)));
  EXPECT_FALSE(has(text, decisionSample("invalid", "block", "rate_not_found", 0)));
}

TEST(GateMetricsTest, FirstDecisionCountsOnItsPreCreatedSeries) {
  GateMetrics metrics(textOnly());
  metrics.countDecision(api::Decision::allow_partial, api::Reason::partial_credit,
                        Category::utility, 10, 4);
  const std::string text = metrics.text();
  EXPECT_TRUE(has(text, decisionSample("utility", "allow_partial", "partial_credit", 1))) << text;
  EXPECT_TRUE(has(text, "creditgate_recipients_total{decision=\"allow_partial\"} 4"));
  EXPECT_TRUE(has(text, "creditgate_recipients_total{decision=\"block\"} 6"));
  EXPECT_EQ(samplesOf(text, "creditgate_decisions_total").size(), 121u);
}

TEST(GateMetricsTest, KnownCurrencyShowsItsMoneyAtZeroAndCountsOnTheSameSeries) {
  GateMetrics metrics(textOnly());
  EXPECT_TRUE(samplesOf(metrics.text(), "creditgate_money_micro_units_total").empty());
  metrics.knowCurrency("EUR");
  metrics.knowCurrency("EUR");  // every snapshot swap names it again
  metrics.knowCurrency("");     // an empty currency makes no series
  std::string text = metrics.text();
  EXPECT_EQ(samplesOf(text, "creditgate_money_micro_units_total").size(), 4u) << text;
  for (const char* operation : {"debit", "refund", "topup", "void"}) {
    EXPECT_TRUE(has(text, std::string("creditgate_money_micro_units_total{currency=\"EUR\","
                                      "operation=\"") +
                              operation + "\"} 0"))
        << operation;
  }
  metrics.countMoney("topup", "EUR", 5'000'000);
  text = metrics.text();
  EXPECT_TRUE(has(text,
                  "creditgate_money_micro_units_total{currency=\"EUR\",operation=\"topup\"} "
                  "5000000"))
      << text;
  EXPECT_EQ(samplesOf(text, "creditgate_money_micro_units_total").size(), 4u);
}

}  // namespace
}  // namespace creditgate
