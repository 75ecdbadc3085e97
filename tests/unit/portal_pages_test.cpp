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
  NotificationsInput notifications;
  notifications.account = account;
  notifications.account.contacts = {evil, "email:" + evil, "webhook:https://h.example/" + evil};
  notifications.webhooks = {WebhookView{"https://h.example/" + evil, "t", evil, {{evil, evil}}}};
  NotificationRow event;
  event.type = evil;
  event.created_at = evil;
  event.payload = evil;
  for (const char* state : {"delivered", "pending", "failed", "disabled", "other"}) {
    for (const char* kind : {"email", "webhook", "host"}) {
      DeliveryRow d;
      d.channel = std::string(kind) + ":" + evil;
      d.kind = kind;
      d.state = state;
      d.attempts = 2;
      d.last_error = evil;
      d.last_attempt_at = d.next_attempt_at = d.delivered_at = evil;
      event.deliveries.push_back(d);
    }
  }
  notifications.rows = {event};
  notifications.has_older = true;
  PortalUser user{evil, "admin"};
  PageFrame frame;
  frame.title = evil;
  frame.user = &user;
  frame.tenant = evil;
  for (const std::string& html :
       {overviewMain(overview), ledgerMain(ledger), batchesMain(batches), spendMain(spend),
        tenantsMain(tenants), renderPage(frame, ""), notificationsMain(notifications)}) {
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

namespace creditgate::server {
namespace {

// A page's text as a person reads it: without tags, with the character references of escapeHtml.
std::string words(const std::string& html) {
  return std::regex_replace(html, std::regex("<[^>]*>"), "");
}

DeliveryRow delivery(std::string channel, std::string kind, std::string state, int attempts) {
  DeliveryRow d;
  d.event_id = 7;
  d.channel = std::move(channel);
  d.kind = std::move(kind);
  d.state = std::move(state);
  d.attempts = attempts;
  return d;
}

constexpr const char* kEventAt = "2026-11-29T12:00:00Z";

TEST(PortalDeliveryTest, EachStateInWords) {
  DeliveryRow mail = delivery("email:ops@acme.example", "email", "delivered", 1);
  mail.last_status = 250;
  mail.last_attempt_at = mail.delivered_at = "2026-11-30T12:03:41Z";
  EXPECT_EQ(words(deliveryHtml(mail, kEventAt, {})),
            "Email to ops@acme.example: delivered 2026-11-30 12:03 UTC");
  EXPECT_NE(deliveryHtml(mail, kEventAt, {}).find("datetime=\"2026-11-30T12:03:41Z\""),
            std::string::npos);

  DeliveryRow hook = delivery("webhook:https://hooks.acme.example/credit", "webhook", "pending", 0);
  hook.next_attempt_at = "2026-11-30T12:00:00Z";
  EXPECT_EQ(words(deliveryHtml(hook, kEventAt, {})),
            "Webhook https://hooks.acme.example/credit: waiting to be sent, first try "
            "2026-11-30 12:00 UTC");
  hook.attempts = 3;
  hook.last_attempt_at = "2026-11-30T12:05:00Z";
  hook.last_status = 500;
  hook.last_error = "HTTP 500 from the endpoint";
  hook.next_attempt_at = "2026-11-30T12:10:00Z";
  EXPECT_EQ(words(deliveryHtml(hook, kEventAt, {})),
            "Webhook https://hooks.acme.example/credit: retrying — 3 attempts, last answer HTTP "
            "500, next try 12:10 UTC. Last error: HTTP 500 from the endpoint");
  hook.next_attempt_at = "2026-12-01T00:10:00Z";  // another day: the date too
  EXPECT_NE(words(deliveryHtml(hook, kEventAt, {})).find("next try 2026-12-01 00:10 UTC"),
            std::string::npos);
  hook.next_attempt_at = "2026-11-30T12:04:00Z";  // due before the relay took it: in flight
  EXPECT_EQ(words(deliveryHtml(hook, kEventAt, {})),
            "Webhook https://hooks.acme.example/credit: attempt 3 under way");

  hook.state = "failed";
  hook.attempts = 31;
  hook.last_status.reset();
  hook.last_error = "connection refused";
  hook.last_attempt_at = "2026-11-30T12:00:00Z";
  hook.next_attempt_at.reset();
  EXPECT_EQ(words(deliveryHtml(hook, kEventAt, {})),
            "Webhook https://hooks.acme.example/credit: failed after 24 h (31 attempts), no "
            "answer — connection refused");
  DeliveryRow refused = delivery("email:ops@acme.example", "email", "failed", 1);
  refused.last_status = 550;
  refused.last_error = "550 5.1.1 mailbox unavailable";
  refused.last_attempt_at = "2026-11-29T12:00:05Z";
  EXPECT_EQ(words(deliveryHtml(refused, kEventAt, {})),
            "Email to ops@acme.example: failed after 1 attempt, last answer SMTP 550 — 550 5.1.1 "
            "mailbox unavailable");
  DeliveryRow removed = delivery("email:old@acme.example", "email", "failed", 0);
  removed.last_error = "the channel was removed from the tenant's contacts";
  EXPECT_EQ(words(deliveryHtml(removed, kEventAt, {})),
            "Email to old@acme.example: not sent: the channel was removed from the contacts");

  DeliveryRow gone =
      delivery("webhook:https://hooks.acme.example/credit", "webhook", "disabled", 2);
  gone.last_status = 410;
  EXPECT_EQ(words(deliveryHtml(gone, kEventAt, {})),
            "Webhook https://hooks.acme.example/credit: endpoint disabled (it answered 410)");
  DeliveryRow skipped =
      delivery("webhook:https://hooks.acme.example/credit", "webhook", "disabled", 0);
  skipped.last_error = "the webhook endpoint is disabled";
  WebhookView endpoint{
      "https://hooks.acme.example/credit", "2026-11-30T11:00:00Z", "answered 410 to event 5", {}};
  EXPECT_EQ(words(deliveryHtml(skipped, kEventAt, {endpoint})),
            "Webhook https://hooks.acme.example/credit: not sent: the endpoint is disabled "
            "(answered 410 to event 5)");

  DeliveryRow host = delivery("", "host", "delivered", 1);
  EXPECT_EQ(words(deliveryHtml(host, kEventAt, {})), "Gateway notifier: delivered");
  host.channel = "ops@legacy.example";  // free text from before channels: the host's
  EXPECT_EQ(words(deliveryHtml(host, kEventAt, {})),
            "Gateway notifier (ops@legacy.example): delivered");
}

TEST(PortalDeliveryTest, AnErrorThatOnlyRepeatsTheAnswerIsLeftOut) {
  DeliveryRow hook = delivery("webhook:https://hooks.acme.example/credit", "webhook", "pending", 2);
  hook.last_attempt_at = "2026-11-30T12:05:00Z";
  hook.next_attempt_at = "2026-11-30T12:10:00Z";
  hook.last_status = 503;
  hook.last_error = "HTTP 503";  // what the webhook client writes for a status it retries
  EXPECT_EQ(words(deliveryHtml(hook, kEventAt, {})),
            "Webhook https://hooks.acme.example/credit: retrying — 2 attempts, last answer HTTP "
            "503, next try 12:10 UTC");
  hook.state = "failed";
  hook.last_attempt_at = "2026-11-29T13:00:00Z";
  hook.next_attempt_at.reset();
  EXPECT_EQ(words(deliveryHtml(hook, kEventAt, {})),
            "Webhook https://hooks.acme.example/credit: failed after 1 h (2 attempts), last "
            "answer HTTP 503");
  hook.last_error = "HTTP 502";  // another status than the one shown: it says something
  EXPECT_EQ(words(deliveryHtml(hook, kEventAt, {})),
            "Webhook https://hooks.acme.example/credit: failed after 1 h (2 attempts), last "
            "answer HTTP 503 — HTTP 502");
  hook.last_error = "HTTP 503 from the endpoint";  // more than the status: kept
  EXPECT_NE(words(deliveryHtml(hook, kEventAt, {})).find(" — HTTP 503 from the endpoint"),
            std::string::npos);
  hook.last_status.reset();  // no answer: the error is all there is
  hook.last_error = "HTTP 503";
  EXPECT_NE(words(deliveryHtml(hook, kEventAt, {})).find("no answer — HTTP 503"),
            std::string::npos);

  DeliveryRow mail = delivery("email:ops@acme.example", "email", "failed", 1);
  mail.last_status = 550;
  mail.last_error = "SMTP 550";
  mail.last_attempt_at = "2026-11-29T12:00:05Z";
  EXPECT_EQ(words(deliveryHtml(mail, kEventAt, {})),
            "Email to ops@acme.example: failed after 1 attempt, last answer SMTP 550");
}

TEST(PortalDeliveryTest, TheHostsErrorIsNeverShown) {
  DeliveryRow host = delivery("host", "host", "failed", 4);
  host.last_status = 3;
  host.last_error = "notify(): connect to 10.0.0.7:5432 failed: password for gw_internal";
  host.last_attempt_at = "2026-11-29T13:00:00Z";
  const std::string html = deliveryHtml(host, kEventAt, {});
  EXPECT_EQ(words(html), "Gateway notifier: failed after 1 h (4 attempts)");
  host.state = "pending";
  host.next_attempt_at = "2026-11-29T13:05:00Z";
  const std::string retrying = deliveryHtml(host, kEventAt, {});
  EXPECT_EQ(words(retrying), "Gateway notifier: retrying — 4 attempts, next try 13:05 UTC");
  for (const std::string& shown : {html, retrying}) {
    EXPECT_EQ(shown.find("10.0.0.7"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("gw_internal"), std::string::npos) << shown;
  }
}

TEST(PortalDeliveryTest, HostileErrorsAndUrlsAreEscapedShortAndWithoutTheirQuery) {
  const std::string contact =
      "webhook:https://user@hooks.example:8443/in/<b>x?token=SECRET-TOKEN&a=1#frag";
  EXPECT_EQ(webhookUrlShown(contact.substr(8)), "https://hooks.example:8443/in/<b>x");
  EXPECT_EQ(channelLabel(contact), "Webhook https://hooks.example:8443/in/<b>x");
  DeliveryRow hook = delivery(contact, "webhook", "failed", 2);
  hook.last_status = 502;
  hook.last_error = "<script>alert('x')</script>\r\n" + std::string(300, 'e');
  const std::string html = deliveryHtml(hook, kEventAt, {});
  EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<b>"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; eee"), std::string::npos)
      << html;
  EXPECT_EQ(html.find("SECRET-TOKEN"), std::string::npos) << html;
  EXPECT_EQ(html.find("user@"), std::string::npos) << html;
  EXPECT_EQ(html.find(std::string(120, 'e')), std::string::npos) << html;  // cut short
  EXPECT_NE(html.find("e\u2026"), std::string::npos) << html;

  const std::string cut =
      shortText(std::string(50, ' ') + "a\tb\n\nc" + std::string(200, 'z'), 120);
  EXPECT_EQ(cut.substr(0, 6), "a b cz");
  EXPECT_EQ(cut, "a b c" + std::string(114, 'z') + "\u2026");      // 119 characters and "…"
  EXPECT_EQ(shortText("ü" + std::string(5, 'x'), 3), "üx\u2026");  // characters, not bytes
  EXPECT_EQ(shortText("exactly", 7), "exactly");
}

TEST(PortalDeliveryTest, TheChannelsSectionShowsKindsStateAndSecrets) {
  NotificationsInput input;
  input.account.tenant_id = "acme";
  input.account.currency = "USD";
  input.account.contacts = {"email:ops@acme.example", "webhook:https://hooks.acme.example/c?k=T0K",
                            "webhook:https://old.acme.example/x", "host"};
  input.webhooks = {
      WebhookView{"https://hooks.acme.example/c?k=T0K",
                  std::nullopt,
                  "",
                  {{"whsec_new", std::nullopt}, {"whsec_old", "2026-12-01T09:00:00Z"}}},
      WebhookView{"https://old.acme.example/x",
                  "2026-11-30T10:00:00Z",
                  "answered 410 to event 9",
                  {{"whsec_only", std::nullopt}}}};
  NotificationRow row;
  row.event_id = 7;
  row.type = "low_balance";
  row.created_at = kEventAt;
  row.payload = "{}";
  row.deliveries = {delivery("email:ops@acme.example", "email", "delivered", 1)};
  input.rows = {row};
  const std::string html = notificationsMain(input);
  const std::string text = words(html);
  EXPECT_LT(html.find("id=\"channels\""), html.find("<table"));
  EXPECT_NE(text.find("Email ops@acme.example"), std::string::npos) << text;
  EXPECT_NE(text.find("Webhook https://hooks.acme.example/c: active."), std::string::npos) << text;
  EXPECT_EQ(html.find("T0K"), std::string::npos);  // the query string is never shown
  EXPECT_NE(html.find("<code>whsec_new</code> current"), std::string::npos) << html;
  EXPECT_NE(html.find("<code>whsec_old</code> valid until <time datetime=\"2026-12-01T09:00:00Z\">"
                      "2026-12-01 09:00</time> UTC"),
            std::string::npos)
      << html;
  EXPECT_NE(text.find("Webhook https://old.acme.example/x: disabled since 2026-11-30 10:00 UTC "
                      "(answered 410 to event 9)"),
            std::string::npos)
      << text;
  EXPECT_NE(html.find("Signing secret: <code>whsec_only</code>"), std::string::npos);
  EXPECT_NE(text.find("Gateway notifier"), std::string::npos);
  EXPECT_NE(text.find("webhook-id, webhook-timestamp and webhook-signature"), std::string::npos)
      << text;
  EXPECT_NE(text.find("https://www.standardwebhooks.com/"), std::string::npos);
  EXPECT_NE(html.find("<caption>"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"col\">Delivery</th>"), std::string::npos);
  EXPECT_NE(text.find("Email to ops@acme.example: delivered"), std::string::npos);

  input.account.contacts.clear();
  input.webhooks.clear();
  EXPECT_NE(words(notificationsMain(input)).find("No contact is listed"), std::string::npos);
}

TEST(PortalDeliveryTest, TheContactsFormExplainsTheSyntaxAndPointsToANewSecret) {
  OverviewInput input;
  input.account.tenant_id = "acme";
  input.account.currency = "USD";
  input.account.contacts = {"email:ops@acme.example", "webhook:https://hooks.acme.example/c?k=T0K"};
  input.admin = true;
  input.contacts.values = {{"contacts", "webhook:http://example.com/x"}};
  input.contacts.error_field = "contacts";
  input.contacts.error = "contact 'webhook:http://example.com/x': a webhook must use https";
  std::string html = overviewMain(input);
  EXPECT_NE(html.find("<code>email:name@example.com</code>"), std::string::npos);
  EXPECT_NE(html.find("<code>webhook:https://"), std::string::npos);
  EXPECT_NE(html.find("<code>host</code>"), std::string::npos);
  EXPECT_NE(html.find(">webhook:http://example.com/x</textarea>"), std::string::npos) << html;
  EXPECT_NE(html.find("a webhook must use https"), std::string::npos);
  EXPECT_NE(html.find("aria-describedby=\"contacts-hint contacts-error\""), std::string::npos);
  EXPECT_EQ(html.find("Signing secret for"), std::string::npos);
  input.new_webhook = true;
  html = overviewMain(input);
  EXPECT_NE(words(html).find("Signing secret for https://hooks.acme.example/c: see the Channels "
                             "section of the notifications page."),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("href=\"/portal/t/acme/notifications#channels\""), std::string::npos);
  EXPECT_EQ(html.find("T0K\n"), std::string::npos);
  // The list shows each contact's kind, a webhook without its query string.
  EXPECT_NE(html.find("<li>Webhook https://hooks.acme.example/c</li>"), std::string::npos) << html;
}

}  // namespace
}  // namespace creditgate::server
