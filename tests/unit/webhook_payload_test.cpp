#include "webhook_payload.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>

namespace creditgate {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Notice blockedNotice() {
  Notice n;
  n.event_id = 4711;
  n.tenant_id = "acme";
  n.type = "insufficient_credit";
  n.payload_json =
      R"({"reason": "insufficient_credit", "batch_id": "b-77", "currency": "JPY",)"
      R"( "decision": "block", "price_micros": 1500000000, "balance_micros": 300500000,)"
      R"( "shortfall_micros": 1199500000})";
  n.campaign_id = "spring-sale";
  n.minor_units = 0;
  n.created_at = std::chrono::sys_days{std::chrono::year{2025} / 7 / 1} + 9h + 5min + 3s + 250ms;
  return n;
}

TEST(WebhookPayload, IsTheStandardWebhooksShape) {
  const std::string body = webhookBody(blockedNotice());
  EXPECT_TRUE(body.starts_with(
      R"({"type":"creditgate.insufficient_credit","timestamp":"2025-07-01T09:05:03.250000Z",)"
      R"("data":{"event_id":4711,"tenant_id":"acme",)"))
      << body;
  EXPECT_EQ(body.find('\n'), std::string::npos);
  const json::value value = json::parse(body);
  const json::object& top = value.as_object();
  EXPECT_EQ(top.at("type").as_string(), "creditgate.insufficient_credit");
  EXPECT_EQ(top.at("timestamp").as_string(), "2025-07-01T09:05:03.250000Z");
  const json::object& data = top.at("data").as_object();
  EXPECT_EQ(data.at("event_id").as_int64(), 4711);
  EXPECT_EQ(data.at("tenant_id").as_string(), "acme");
  EXPECT_EQ(data.at("campaign_id").as_string(), "spring-sale");
  EXPECT_EQ(data.at("batch_id").as_string(), "b-77");
  EXPECT_EQ(data.at("decision").as_string(), "block");
  EXPECT_EQ(data.at("reason").as_string(), "insufficient_credit");
  EXPECT_EQ(data.at("currency").as_string(), "JPY");
}

TEST(WebhookPayload, AmountsStayIntegersWithTextBesideThem) {
  const json::value value = json::parse(webhookBody(blockedNotice()));
  const json::object& data = value.at("data").as_object();
  ASSERT_TRUE(data.at("price_micros").is_int64());
  EXPECT_EQ(data.at("price_micros").as_int64(), 1'500'000'000);
  EXPECT_EQ(data.at("balance_micros").as_int64(), 300'500'000);
  EXPECT_EQ(data.at("shortfall_micros").as_int64(), 1'199'500'000);
  EXPECT_EQ(data.at("balance").as_string(), "300.5");  // JPY, not rounded
  EXPECT_EQ(data.at("shortfall").as_string(), "1199.5");
  EXPECT_FALSE(data.contains("threshold"));
}

TEST(WebhookPayload, LowBalanceHasTheThresholdAndNoCampaign) {
  Notice n;
  n.event_id = 1;
  n.tenant_id = "acme";
  n.type = "low_balance";
  n.payload_json = R"({"level": "warning", "currency": "EUR", "balance_micros": 9000000,)"
                   R"( "threshold_micros": 10000000})";
  const json::value value = json::parse(webhookBody(n));
  const json::object& data = value.at("data").as_object();
  EXPECT_EQ(data.at("threshold").as_string(), "10.00");
  EXPECT_EQ(data.at("balance").as_string(), "9.00");
  EXPECT_EQ(data.at("threshold_micros").as_int64(), 10'000'000);
  EXPECT_EQ(data.at("level").as_string(), "warning");
  EXPECT_FALSE(data.contains("campaign_id"));
  EXPECT_EQ(value.at("timestamp").as_string(), "1970-01-01T00:00:00.000000Z");
}

TEST(WebhookPayload, RecoveredKeepsTheLevelsArray) {
  Notice n;
  n.type = "recovered";
  n.payload_json = R"({"levels": ["critical", "warning"], "currency": "EUR", "balance_micros": 1})";
  const json::value value = json::parse(webhookBody(n));
  const json::array& levels = value.at("data").at("levels").as_array();
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_EQ(levels[0].as_string(), "critical");
  EXPECT_EQ(value.at("data").at("balance").as_string(), "0.000001");
}

TEST(WebhookPayload, StaysValidJsonWhateverTheInputs) {
  Notice n;
  n.event_id = 9;
  n.tenant_id = "ac\"me\\\n\xFF";
  n.campaign_id = "<script>\"";
  n.type = "low_balance";
  for (const char* payload :
       {"", "not json", "[1]", R"({"event_id": "forged", "x": {"y": null}})"}) {
    n.payload_json = payload;
    const std::string body = webhookBody(n);
    const json::value value = json::parse(body);
    EXPECT_EQ(value.at("data").at("event_id").as_int64(), 9) << body;
    EXPECT_EQ(value.at("data").at("campaign_id").as_string(), "<script>\"") << body;
  }
}

}  // namespace
}  // namespace creditgate
