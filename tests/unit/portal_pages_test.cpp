// The portal's pages without a database or a socket: money as each currency writes it, routes,
// CSV fields, the tenant list's search and sort, the chart's integer widths, and that what a
// tenant, an admin or a note typed never becomes markup.
#include <gtest/gtest.h>

#include <regex>

#include "ledger_csv.hpp"
#include "money_text.hpp"
#include "page_frame.hpp"
#include "pages_account.hpp"
#include "pages_admin.hpp"
#include "pages_history.hpp"
#include "pages_spend.hpp"
#include "portal_route.hpp"

namespace creditgate::server {
namespace {

TEST(PortalMoneyTest, WritesTheCurrencysDecimalsAndNeverRoundsAMicroUnitAway) {
  EXPECT_EQ(formatMoney(12'500'000, 2), "12.50");
  EXPECT_EQ(formatMoney(12'500'000, 0), "12.5");  // JPY: a half yen is shown, not rounded
  EXPECT_EQ(formatMoney(1'500'000'000, 0), "1500");
  EXPECT_EQ(formatMoney(12'345, 2), "0.012345");  // a message price below a cent
  EXPECT_EQ(formatMoney(-250'000'000, 2), "-250.00");
  EXPECT_EQ(formatMoney(0, 2), "0.00");
  EXPECT_EQ(formatMoney(1, 3), "0.000001");
  EXPECT_EQ(formatMoney(INT64_MIN, 2), "-9223372036854.775808");
  EXPECT_EQ(formatMoney(INT64_MAX, 6), "9223372036854.775807");
  // Beyond int64 (a refused batch's price is numeric in the database).
  EXPECT_EQ(formatMoneyText("123456789012345678901234", 2), "123456789012345678.901234");
  EXPECT_EQ(formatMoneyText("-000", 2), "0.00");
  EXPECT_FALSE(formatMoneyText("1.5", 2).has_value());
  EXPECT_FALSE(formatMoneyText("", 2).has_value());
  EXPECT_FALSE(formatMoneyText("-", 2).has_value());
}

TEST(PortalRouteTest, NamesEveryPageAndItsTenant) {
  EXPECT_TRUE(isPortalTarget("/"));
  EXPECT_TRUE(isPortalTarget("/portal/login?x=1"));
  EXPECT_FALSE(isPortalTarget("/v1/quote"));
  EXPECT_FALSE(isPortalTarget("/portals"));
  const PortalRoute ledger = matchPortalRoute("GET", "/portal/t/acme%2Bco/ledger?from=2026-01-01");
  EXPECT_EQ(ledger.outcome, PortalRoute::Outcome::matched);
  EXPECT_EQ(ledger.page, PortalPage::ledger);
  EXPECT_EQ(ledger.tenant, "acme+co");
  EXPECT_EQ(ledger.query, "from=2026-01-01");
  EXPECT_EQ(matchPortalRoute("GET", "/portal/t/a%2Fb/").tenant, "a/b");
  EXPECT_EQ(matchPortalRoute("GET", "/portal/t/acme/").page, PortalPage::overview);
  EXPECT_EQ(matchPortalRoute("POST", "/portal/t/acme/topup").page, PortalPage::top_up);
  const PortalRoute wrong = matchPortalRoute("GET", "/portal/t/acme/topup");
  EXPECT_EQ(wrong.outcome, PortalRoute::Outcome::method_not_allowed);
  EXPECT_EQ(wrong.allow, "POST");
  EXPECT_EQ(matchPortalRoute("DELETE", "/portal/login").allow, "GET, POST");
  for (const char* missing :
       {"/portal/t/acme", "/portal/t//ledger", "/portal/t/acme/other", "/portal/t/%zz/ledger",
        "/portal/t/a%0Ab/", "/portal/t/a%20b/", "/portal/nothing"}) {
    EXPECT_EQ(matchPortalRoute("GET", missing).outcome, PortalRoute::Outcome::not_found) << missing;
  }
  EXPECT_EQ(matchPortalRoute("GET", "/portal/t/" + std::string(65, 'a') + "/").outcome,
            PortalRoute::Outcome::not_found);
}

TEST(LedgerCsvTest, QuotesWhatNeedsItAndDisarmsFormulas) {
  EXPECT_EQ(csvField("plain"), "plain");
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csvField("+14155550100"), "+14155550100");  // a recipient stays a number
  EXPECT_EQ(csvField("-3+4"), "'-3+4");
  std::string out;
  appendLedgerCsv(
      out,
      {LedgerRow{7, "topup", 250'000'000, 250'000'000, "", "", "INV,1", "n",
                 "2026-11-30T08:00:00Z"},
       LedgerRow{8, "debit", -12'345, 249'987'655, "b1", "+4917", "", "", "2026-11-30T08:01:00Z"}},
      "EUR");
  EXPECT_EQ(out,
            "7,2026-11-30T08:00:00Z,topup,250.000000,250.000000,EUR,,,\"INV,1\",n\r\n"
            "8,2026-11-30T08:01:00Z,debit,-0.012345,249.987655,EUR,b1,+4917,,\r\n");
}

TenantListRow listed(std::string id, std::int64_t balance, int rank, std::string contact = "") {
  TenantListRow row;
  row.tenant.tenant_id = std::move(id);
  row.tenant.currency = "USD";
  row.tenant.balance_micros = balance;
  if (!contact.empty()) row.tenant.contacts = {contact};
  constexpr const char* kLevels[] = {"ok", "warning", "critical", "depleted"};
  row.level = kLevels[rank];
  return row;
}

std::vector<std::string> ids(const std::vector<TenantListRow>& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row.tenant.tenant_id);
  return out;
}

TEST(TenantListTest, SearchesIdsAndContactsAndSortsEitherWay) {
  TenantsInput input;
  input.rows = {listed("bistro", 5, 2, "chef@bistro.example"), listed("acme", 900, 0),
                listed("zeta", -3, 3), listed("Acme-EU", 5, 2)};
  EXPECT_EQ(ids(tenantsShown(input)),
            (std::vector<std::string>{"Acme-EU", "acme", "bistro", "zeta"}));
  input.sort = "balance";
  EXPECT_EQ(ids(tenantsShown(input)),
            (std::vector<std::string>{"zeta", "Acme-EU", "bistro", "acme"}));
  input.descending = true;
  EXPECT_EQ(ids(tenantsShown(input)),
            (std::vector<std::string>{"acme", "Acme-EU", "bistro", "zeta"}));
  input.sort = "level";
  EXPECT_EQ(ids(tenantsShown(input)).front(), "zeta");
  input.query = "ACME";
  EXPECT_EQ(ids(tenantsShown(input)),
            (std::vector<std::string>{"Acme-EU", "acme"}));  // by level, descending
  input.query = "chef@";
  EXPECT_EQ(ids(tenantsShown(input)), (std::vector<std::string>{"bistro"}));
  EXPECT_TRUE(isTenantSort("spent_today"));
  EXPECT_FALSE(isTenantSort("balance;drop"));
}

TEST(SpendChartTest, BarsAreWholePixelsProportionalToTheLargestMarket) {
  AccountView account;
  account.currency = "USD";
  const std::string svg = spendChartSvg({SpendRow{"India", "marketing", 10, 300'000'000},
                                         SpendRow{"India", "utility", 5, 100'000'000},
                                         SpendRow{"Brazil", "marketing", 2, 200'000'000}},
                                        account);
  // India is the longest bar: 430 px, 3/4 marketing, 1/4 utility; Brazil half as long.
  EXPECT_NE(svg.find("width=\"322\" height=\"20\" class=\"cat-0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("width=\"107\" height=\"20\" class=\"cat-1\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("width=\"215\" height=\"20\" class=\"cat-0\""), std::string::npos) << svg;
  EXPECT_LT(svg.find(">India<"), svg.find(">Brazil<"));
  EXPECT_NE(svg.find(">400.00<"), std::string::npos);
}

TEST(PortalPagesTest, NothingATenantOrAdminTypedBecomesMarkup) {
  const std::string evil = "<script>alert(1)</script>\"'&";
  AccountView account;
  account.tenant_id = evil;
  account.currency = "EUR";
  account.contacts = {evil};
  OverviewInput overview;
  overview.account = account;
  overview.level = "warning";
  overview.admin = true;
  overview.csrf = evil;
  overview.top_up.values = {{"reference", evil}};
  LedgerInput ledger;
  ledger.account = account;
  ledger.rows = {LedgerRow{1, "topup", 1, 1, evil, evil, evil, evil, "t"}};
  ledger.has_older = true;
  BatchesInput batches;
  batches.account = account;
  BatchRow batch;
  batch.batch_id = batch.campaign_id = batch.template_name = batch.reason = evil;
  batch.decision = "block";
  batch.price_micros = "5";
  batches.rows = {batch};
  SpendInput spend;
  spend.account = account;
  spend.rows = {SpendRow{evil, evil, 1, 1}};
  TenantsInput tenants;
  tenants.rows = {listed(evil, 1, 0, evil)};
  tenants.query = evil;
  PortalUser user{evil, "admin"};
  PageFrame frame;
  frame.title = evil;
  frame.user = &user;
  frame.tenant = evil;
  for (const std::string& html : {overviewMain(overview), ledgerMain(ledger), batchesMain(batches),
                                  spendMain(spend), tenantsMain(tenants), renderPage(frame, "")}) {
    EXPECT_EQ(html.find("<script>alert"), std::string::npos) << html;
    EXPECT_EQ(html.find("\"'&"), std::string::npos) << html;
  }
}

TEST(PortalPagesTest, OverviewShowsDebtLevelAndPolicy) {
  OverviewInput input;
  input.account.tenant_id = "acme";
  input.account.currency = "USD";
  input.account.balance_micros = -12'500'000;
  input.level = "depleted";
  input.policy = PolicyView{{CategoryPolicyView{"marketing", "flag", 50'000'000},
                             CategoryPolicyView{"utility", "partial", 0}},
                            "allow_flagged",
                            100'000'000,
                            std::nullopt};
  const std::string html = overviewMain(input);
  EXPECT_NE(html.find("-12.50 USD"), std::string::npos);
  EXPECT_NE(html.find("id=\"debt\">12.50 USD<"), std::string::npos) << html;
  EXPECT_NE(html.find("level-depleted"), std::string::npos);
  EXPECT_NE(html.find("go down to -50.00 USD"), std::string::npos);
  EXPECT_NE(html.find("partial: send to the recipients the credit covers"), std::string::npos);
  EXPECT_NE(html.find("warning below 100.00 USD"), std::string::npos);
  EXPECT_EQ(html.find("Add credit"), std::string::npos);  // not an admin: no form
}

}  // namespace
}  // namespace creditgate::server

namespace creditgate::server {
namespace {

TEST(PortalPagesTest, NotificationsAreWordsAndMoneyNotJson) {
  AccountView account;
  account.currency = "EUR";
  EXPECT_EQ(notificationTitle("insufficient_credit"), "Credit did not cover a batch");
  EXPECT_EQ(notificationSummary(R"({"batch_id":"b1","price_micros":1174000,)"
                                R"("shortfall_micros":643600,"levels":["warning","critical"]})",
                                account),
            "batch id b1; price 1.174 EUR; shortfall 0.6436 EUR; levels warning, critical");
  EXPECT_EQ(notificationSummary("not json", account), "not json");
  EXPECT_NE(levelMessage("warning", true).find("add credit below"), std::string::npos);
  EXPECT_NE(levelMessage("warning", false).find("ask your admin"), std::string::npos);
  EXPECT_EQ(levelMessage("ok", false), "");
}

}  // namespace
}  // namespace creditgate::server
