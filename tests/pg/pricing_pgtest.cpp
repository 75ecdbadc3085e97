// Rate selection end to end: authentication-international for eligible tenants, and the admins'
// choice for a missing rate.
#include "gate_fixture.hpp"

namespace creditgate::testing {
namespace {

constexpr std::int64_t kIndiaAuthInternational = 25'200;

class PricingTest : public GateTest {
 protected:
  void SetUp() override {
    GateTest::SetUp();
    db_.exec("UPDATE creditgate.rate SET rate_micros = " + std::to_string(kIndiaAuthInternational) +
             " WHERE market = 'India' AND category = 'authentication_international'"
             " AND card_id = (SELECT card_id FROM creditgate.rate_card WHERE currency = 'EUR')");
  }
};

TEST_F(PricingTest, EligibleTenantPaysAuthenticationInternationalForAbroadRecipients) {
  db_.addTenant("bank", "EUR", 1'000'000);
  db_.exec("SELECT creditgate.set_tenant_pricing('bank', true, 'Germany')");
  db_.addTenant("local", "EUR", 1'000'000);
  db_.exec("SELECT creditgate.set_tenant_pricing('local', true, 'India')");
  db_.addTenant("plain", "EUR", 1'000'000);
  startGate(kBlockPolicy);
  const std::vector<std::string> recipients = {"+919812345678", "+4915112345678"};
  // India is abroad and lists an international rate; Germany is home.
  EXPECT_EQ(decide(batch("bank", "b-1", recipients, "authentication")).charged_micros,
            kIndiaAuthInternational + kEurAuthentication);
  EXPECT_EQ(decide(batch("local", "b-1", recipients, "authentication")).charged_micros,
            2 * kEurAuthentication);
  EXPECT_EQ(decide(batch("plain", "b-1", recipients, "authentication")).charged_micros,
            2 * kEurAuthentication);
}

TEST_F(PricingTest, MissingRatePricedAtOtherWhenTheConfigSaysOther) {
  db_.addTenant("acme", "EUR", 1'000'000);
  db_.exec("UPDATE creditgate.rate SET rate_micros = NULL WHERE market = 'Germany'"
           " AND category = 'utility'");
  startGate(kBlockPolicy);
  EXPECT_EQ(decide(batch("acme", "b-1", germanNumbers(1), "utility")).reason,
            api::Reason::rate_not_found);

  startGateWithConfig(R"({"database": {"dsn": ")" + db_.pluginDsn() +
          R"("}, "pricing": {"on_missing_rate": "other"}, "metrics": {"listen": ""}})");
  const api::Verdict v = decide(batch("acme", "b-2", germanNumbers(1), "utility"));
  EXPECT_EQ(v.decision, api::Decision::allow) << v.detail;
  EXPECT_EQ(v.charged_micros, kEurUtility);  // Other's utility rate in the test card
}

}  // namespace
}  // namespace creditgate::testing
