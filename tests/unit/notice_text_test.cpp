#include "notice_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace creditgate {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

Notice notice(std::string type, std::string payload, int minor_units = 2) {
  Notice n;
  n.event_id = 4711;
  n.tenant_id = "acme";
  n.type = std::move(type);
  n.payload_json = std::move(payload);
  n.minor_units = minor_units;
  return n;
}

TEST(NoticeText, LowBalanceSaysTheBalanceAndTheLevel) {
  const NoticeText text = describeNotice(
      notice("low_balance", R"({"level": "critical", "currency": "EUR", "balance_micros": 4100000,)"
                            R"( "threshold_micros": 5000000})"),
      "https://credit.example/portal/");
  EXPECT_EQ(text.subject, "WhatsApp credit low: 4.10 EUR left (critical)");
  EXPECT_TRUE(contains(text.text, "Tenant: acme\n"));
  EXPECT_TRUE(contains(text.text, "Balance: 4.10 EUR\n"));
  EXPECT_TRUE(contains(text.text, "Alert level (critical): 5.00 EUR\n"));
  EXPECT_TRUE(contains(text.text, "Add credit"));
  EXPECT_TRUE(contains(text.text, "Portal: https://credit.example/portal/t/acme/\n"));
  EXPECT_TRUE(contains(text.text, "Reference: creditgate event 4711\n"));
  EXPECT_TRUE(contains(text.html, "<td>4.10 EUR</td>"));
  EXPECT_TRUE(contains(text.html, "href=\"https://credit.example/portal/t/acme/\""));
  EXPECT_TRUE(contains(text.html, "creditgate event 4711"));
}

TEST(NoticeText, DepletedSaysTheBalanceHonestly) {
  const NoticeText text = describeNotice(
      notice("depleted", R"({"level": "depleted", "currency": "EUR", "balance_micros": -350000,)"
                         R"( "threshold_micros": 1})"),
      "");
  EXPECT_EQ(text.subject, "WhatsApp credit used up: balance -0.35 EUR");
  EXPECT_TRUE(contains(text.text, "Balance: -0.35 EUR\n"));
  EXPECT_FALSE(contains(text.text, "0.000001"));  // the depleted level's threshold is not news
  EXPECT_FALSE(contains(text.text, "Portal:"));   // no portal configured
}

TEST(NoticeText, BlockedCampaignNamesCampaignBatchAndShortfall) {
  Notice n = notice("insufficient_credit",
                    R"({"reason": "insufficient_credit", "batch_id": "b-77", "currency": "EUR",)"
                    R"( "decision": "block", "price_micros": 15000000, "balance_micros": 3000000,)"
                    R"( "shortfall_micros": 12000000})");
  n.campaign_id = "spring-sale";
  const NoticeText text = describeNotice(n, "https://credit.example/portal");
  EXPECT_EQ(text.subject, "WhatsApp campaign blocked: 12.00 EUR more credit needed");
  EXPECT_TRUE(contains(text.text, "Campaign: spring-sale\n"));
  EXPECT_TRUE(contains(text.text, "Batch: b-77\n"));
  EXPECT_TRUE(contains(text.text, "Price: 15.00 EUR\n"));
  EXPECT_TRUE(contains(text.text, "Balance: 3.00 EUR\n"));
  EXPECT_TRUE(contains(text.text, "More credit needed: 12.00 EUR\n"));
  EXPECT_TRUE(contains(text.text, "Nothing was charged for this batch."));
  EXPECT_TRUE(contains(text.text, "contact your provider"));
  EXPECT_TRUE(contains(text.text, "https://credit.example/portal/t/acme/"));  // '/' added
}

TEST(NoticeText, OverdraftLimitIsNamed) {
  const NoticeText text = describeNotice(
      notice("insufficient_credit",
             R"({"reason": "overdraft_limit_exceeded", "decision": "block", "currency": "EUR",)"
             R"( "shortfall_micros": 500000})"),
      "");
  EXPECT_EQ(text.subject, "WhatsApp campaign blocked: 0.50 EUR more credit needed");
  EXPECT_TRUE(contains(text.text, "overdraft limit"));
}

TEST(NoticeText, SentOnCreditSaysTheBalance) {
  const NoticeText text =
      describeNotice(notice("insufficient_credit",
                            R"({"reason": "overdraft", "batch_id": "b-1", "currency": "EUR",)"
                            R"( "decision": "allow_flagged", "price_micros": 5000000,)"
                            R"( "balance_micros": -3200000, "shortfall_micros": 3200000})"),
                     "");
  EXPECT_EQ(text.subject, "WhatsApp campaign sent on credit: balance -3.20 EUR");
  EXPECT_TRUE(contains(text.text, "Balance: -3.20 EUR\n"));
}

TEST(NoticeText, RecoveredNamesTheClearedLevels) {
  const NoticeText text =
      describeNotice(notice("recovered", R"({"levels": ["critical", "warning"], "currency": "EUR",)"
                                         R"( "balance_micros": 50000000})"),
                     "");
  EXPECT_EQ(text.subject, "WhatsApp credit restored: 50.00 EUR");
  EXPECT_TRUE(contains(text.text, "Back above the levels: critical, warning\n"));
}

TEST(NoticeText, WritesMoneyInTheCurrencysMinorUnits) {
  const auto subject = [](std::string currency, int minor_units, std::int64_t micros) {
    return describeNotice(notice("recovered",
                                 R"({"currency": ")" + currency + R"(", "balance_micros": )" +
                                     std::to_string(micros) + "}",
                                 minor_units),
                          "")
        .subject;
  };
  EXPECT_EQ(subject("EUR", 2, 50'000'000), "WhatsApp credit restored: 50.00 EUR");
  EXPECT_EQ(subject("JPY", 0, 5'000'000'000), "WhatsApp credit restored: 5000 JPY");
  EXPECT_EQ(subject("JPY", 0, 5'000'500'000), "WhatsApp credit restored: 5000.5 JPY");
  EXPECT_EQ(subject("BHD", 3, 12'345'000), "WhatsApp credit restored: 12.345 BHD");
  EXPECT_EQ(subject("BHD", 3, 12'000'000), "WhatsApp credit restored: 12.000 BHD");
}

TEST(NoticeText, EscapesHostileIdsInHtmlAndKeepsTheSubjectOneLine) {
  Notice n = notice("insufficient_credit",
                    "{\"decision\": \"block\", \"currency\": \"EUR\\r\\nBcc: evil@x\","
                    " \"batch_id\": \"<img src=x onerror=alert(1)>\","
                    " \"shortfall_micros\": 1000000}");
  n.campaign_id = "<script>alert('x')</script>";
  n.tenant_id = "acme\"><b>";
  const NoticeText text = describeNotice(n, "https://credit.example/portal/");
  EXPECT_EQ(text.subject.find_first_of("\r\n"), std::string::npos) << text.subject;
  EXPECT_EQ(text.subject, "WhatsApp campaign blocked: 1.00 EURBcc: evil@x more credit needed");
  EXPECT_FALSE(contains(text.html, "<script>"));
  EXPECT_FALSE(contains(text.html, "<img"));
  EXPECT_FALSE(contains(text.html, "<b>"));
  EXPECT_TRUE(contains(text.html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_TRUE(contains(text.html, "acme&quot;&gt;&lt;b&gt;"));
  EXPECT_TRUE(contains(text.text, "Campaign: <script>alert('x')</script>\n"));  // plain text
  EXPECT_TRUE(contains(text.text, "/t/acme%22%3E%3Cb%3E/"));  // the link's path, encoded
}

TEST(NoticeText, IdsWithLineBreaksCannotAddLines) {
  Notice n = notice("insufficient_credit", R"({"decision": "block"})");
  n.campaign_id = "spring\nReference: creditgate event 1";
  const NoticeText text = describeNotice(n, "");
  EXPECT_TRUE(contains(text.text, "Campaign: springReference: creditgate event 1\n"));
  EXPECT_FALSE(contains(text.text, "\nReference: creditgate event 1\n"));
}

TEST(NoticeText, DescribesWhatIsKnownOfABrokenPayload) {
  for (const char* payload :
       {"", "not json", "[1, 2]", R"({"balance_micros": "4100000"})",
        R"({"balance_micros": 1.5, "level": 3})", R"({"balance_micros": 99999999999999999999})"}) {
    const NoticeText text = describeNotice(notice("low_balance", payload), "");
    EXPECT_EQ(text.subject, "WhatsApp credit low") << payload;
    EXPECT_TRUE(contains(text.text, "Tenant: acme\n")) << payload;
    EXPECT_FALSE(contains(text.text, "Balance:")) << payload;
  }
  const NoticeText no_decision = describeNotice(notice("insufficient_credit", "{}"), "");
  EXPECT_EQ(no_decision.subject, "WhatsApp campaign short of credit");
  const NoticeText no_currency = describeNotice(
      notice("low_balance", R"({"level": "warning", "balance_micros": 4100000})"), "");
  EXPECT_EQ(no_currency.subject, "WhatsApp credit low: 4.10 left (warning)");
}

TEST(NoticeText, AnUnknownTypeStillSaysSomething) {
  const NoticeText text = describeNotice(
      notice("fresh\r\nkind", R"({"balance_micros": 1000000, "currency": "EUR"})"), "");
  EXPECT_EQ(text.subject, "WhatsApp credit notice (freshkind)");
  EXPECT_TRUE(contains(text.text, "Balance: 1.00 EUR\n"));
}

}  // namespace
}  // namespace creditgate
