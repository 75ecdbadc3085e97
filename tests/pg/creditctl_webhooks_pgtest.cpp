// Notification channels as an admin sets them up with creditctl (sql/023): tenant contacts with
// email:, webhook: and host channels, checked by the database's channel rule; the webhook
// endpoints' signing secrets shown, rotated with an overlap and the endpoints enabled again
// (webhook list, rotate, enable); and events showing each channel's delivery after a relay's run
// (claim_deliveries and finish_delivery called here as a relay calls them). The real binary as an
// admin runs it, against a real database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "creditctl_fixture.hpp"
#include "creditctl_runner.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHook = "https://hooks.acme.example/credit";
constexpr const char* kHookContact = "webhook:https://hooks.acme.example/credit";

boost::json::object parsedObject(const std::string& text) {
  return boost::json::parse(text).as_object();
}

// The fixture's tenant acme (EUR, no credit, contact billing@acme.example).
class CreditctlWebhooksTest : public CreditctlFixture {
 protected:
  std::string text(const std::string& sql) {
    pqxx::nontransaction txn(db_.connection());
    const pqxx::row row = txn.exec1(sql);
    return row[0].is_null() ? "NULL" : row[0].as<std::string>();
  }

  std::string contacts() { return text("SELECT contacts::text FROM creditgate.tenant"); }

  // The webhook's signing secrets valid now, newest first (test literals only).
  std::vector<std::string> validSecrets(const std::string& url) {
    pqxx::nontransaction txn(db_.connection());
    std::vector<std::string> secrets;
    for (const auto& row : txn.exec_params(
             "SELECT secret FROM creditgate.webhook_secret WHERE url = $1"
             "   AND (expires_at IS NULL OR expires_at > now()) ORDER BY created_at DESC",
             url)) {
      secrets.push_back(row[0].as<std::string>());
    }
    return secrets;
  }

  void setHook() {
    const CtlResult run = admin({"tenant", "contacts", "acme", kHookContact});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  // A refused batch of acme's (it has no credit): one insufficient_credit event in the outbox.
  void refuseABatch(const std::string& batch_id) {
    db_.exec("SELECT creditgate.decide_batch('acme', '" + batch_id +
             "', 'c', 't', 'marketing', ARRAY['+4915110000001'], ARRAY[2000000]::bigint[], 'EUR',"
             " 'block', 0, NULL, NULL, NULL, 0)");
  }
};

TEST_F(CreditctlWebhooksTest, ContactsAcceptEachChannelAndPrintTheWebhooksSigningSecret) {
  const CtlResult run = admin({"tenant", "contacts", "acme", "email:ops@acme.example", kHookContact,
                               "webhook:http://127.0.0.1:8080/hook", "host", "Jane at the desk"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(contacts(),
            "{email:ops@acme.example,webhook:https://hooks.acme.example/credit,"
            "webhook:http://127.0.0.1:8080/hook,host,\"Jane at the desk\"}");
  EXPECT_EQ(db_.count("webhook_endpoint"), 2);

  EXPECT_THAT(run.out, HasSubstr("tenant acme: 5 contacts (replacing any before)\n"));
  EXPECT_THAT(run.out, ContainsRegex("\n  email +email:ops@acme.example +-\n"));
  EXPECT_THAT(run.out, ContainsRegex("\n  host +host +-\n"));
  EXPECT_THAT(run.out, ContainsRegex("\n  host +Jane at the desk +-\n"));
  const std::vector<std::string> secrets = validSecrets(kHook);
  ASSERT_EQ(secrets.size(), 1u);
  EXPECT_THAT(secrets[0], ::testing::StartsWith("whsec_"));
  // A secret is base64 (+ and /): matched as text, not as a regular expression.
  EXPECT_THAT(run.out,
              ContainsRegex("\n  webhook +webhook:https://hooks.acme.example/credit +whsec_"));
  EXPECT_THAT(run.out, HasSubstr(" " + secrets[0] + " (current)\n"));
  const std::vector<std::string> local = validSecrets("http://127.0.0.1:8080/hook");
  ASSERT_EQ(local.size(), 1u);
  EXPECT_NE(local[0], secrets[0]);
  EXPECT_THAT(run.out, HasSubstr(local[0] + " (current)"));
  EXPECT_THAT(run.out,
              HasSubstr("Give each webhook's signing secret to whoever runs its receiver"));

  // Listed again, a webhook keeps its secret; no longer listed, it keeps it too (a slip undone
  // does not break its receiver), but nothing lists it.
  const CtlResult again = admin({"tenant", "contacts", "acme", kHookContact});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(validSecrets(kHook), secrets);
  EXPECT_THAT(again.out, HasSubstr(secrets[0] + " (current)"));
  EXPECT_EQ(db_.count("webhook_secret"), 2);  // this one's and the local one's, kept

  // No webhook among them: no secret, no word about secrets.
  const CtlResult plain = admin({"tenant", "contacts", "acme", "email:ops@acme.example"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.out, Not(HasSubstr("signing secret to")));
  const CtlResult listed = admin({"webhook", "list", "--tenant", "acme"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, Not(HasSubstr(kHook)));
}

// creditctl balance lists every channel: the JSON as stored, beside the first as "contact" for
// readers written when there was one; the text without a webhook's query, which may hold a token.
TEST_F(CreditctlWebhooksTest, BalanceShowsEveryContactAndNoWebhooksQueryInItsText) {
  const std::string hook = "webhook:https://hooks.example:8443/x?token=SECRET-TOKEN";
  const CtlResult set = admin({"tenant", "contacts", "acme", "email:owner@bistro.example", hook,
                               "host", "Jane at the desk"});
  ASSERT_EQ(set.exit_code, 0) << set.err;

  const CtlResult text = admin({"balance", "acme"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out,
              HasSubstr("\ncontacts     email:owner@bistro.example, "
                        "webhook:https://hooks.example:8443/x, host, Jane at the desk\n"));
  EXPECT_THAT(text.out, Not(HasSubstr("SECRET-TOKEN")));

  const CtlResult json = admin({"balance", "acme", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const boost::json::object o = parsedObject(json.out);
  EXPECT_EQ(o.at("contact").as_string(), "email:owner@bistro.example");
  const boost::json::array expected{"email:owner@bistro.example", hook.c_str(), "host",
                                    "Jane at the desk"};
  EXPECT_EQ(o.at("contacts").as_array(), expected);
}

TEST_F(CreditctlWebhooksTest, ABadChannelIsRefusedWithTheDatabasesMessageAndChangesNothing) {
  const std::string before = contacts();
  for (const auto& [contact, mentions] : std::vector<std::pair<std::string, std::string>>{
           {"email:a b@c", "contact 'email:a b@c': 'a b@c' is not an email address"},
           {"webhook:http://example.com/x",
            "contact 'webhook:http://example.com/x': a webhook must use https"},
           {"webhook:https://user@hooks.example/x", "is not a webhook URL"}}) {
    // With a good webhook before it: all or nothing, so no endpoint either.
    const CtlResult run = admin({"tenant", "contacts", "acme", kHookContact, contact});
    EXPECT_EQ(run.exit_code, 2) << contact << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(mentions));
    EXPECT_TRUE(run.err.starts_with("creditctl: contact ")) << run.err;  // no "ERROR:" prefix
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(contacts(), before);
    EXPECT_EQ(db_.count("webhook_endpoint"), 0);
    EXPECT_EQ(db_.count("webhook_secret"), 0);
  }

  const CtlResult twice = admin({"tenant", "contacts", "acme", "host", "host"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_THAT(twice.err, HasSubstr("contact 'host' is listed twice"));
  EXPECT_EQ(contacts(), before);
}

TEST_F(CreditctlWebhooksTest, TenantAddChecksItsContactTheSameWay) {
  const CtlResult bad =
      admin({"tenant", "add", "bistro", "--currency", "EUR", "--contact", "email:a b@c"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(bad.err,
            "creditctl: contact 'email:a b@c': 'a b@c' is not an email address "
            "(name@domain, ASCII)\n");
  EXPECT_EQ(bad.out, "");
  EXPECT_EQ(db_.count("tenant"), 1);  // acme only: bistro was not created

  const CtlResult plain = admin({"tenant", "add", "bistro", "--currency", "EUR", "--contact",
                                 "webhook:https://hooks.bistro.example/x"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const std::vector<std::string> secrets = validSecrets("https://hooks.bistro.example/x");
  ASSERT_EQ(secrets.size(), 1u);
  EXPECT_THAT(plain.out, ::testing::StartsWith("tenant bistro created (EUR)\n"));
  EXPECT_THAT(plain.out, HasSubstr(secrets[0] + " (current)"));
}

TEST_F(CreditctlWebhooksTest, RotateKeepsTheOldSecretForTheOverlapAndZeroLeavesTheNewOneAlone) {
  setHook();
  const std::string first = validSecrets(kHook).at(0);

  const CtlResult rotated = admin({"webhook", "rotate", "acme", kHook});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  const std::vector<std::string> two = validSecrets(kHook);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1], first);
  EXPECT_THAT(rotated.out, HasSubstr("\n    " + two[0] + "\n"));
  EXPECT_THAT(rotated.out, Not(HasSubstr(first)));
  EXPECT_THAT(rotated.out, ContainsRegex("The previous secret stays valid until "
                                         "[0-9-]+ [0-9:]+ UTC \\(24 hours\\)"));
  // The old one expires about 24 hours from now (the default overlap); the new one is current.
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.webhook_secret"
                         " WHERE expires_at BETWEEN now() + interval '23 hours 55 minutes'"
                         "                      AND now() + interval '24 hours'"),
            1);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.webhook_secret WHERE expires_at IS NULL"),
            1);

  const CtlResult list = admin({"webhook", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const boost::json::object listed = parsedObject(list.out);
  ASSERT_EQ(listed.at("endpoints").as_array().size(), 1u);
  const auto& endpoint = listed.at("endpoints").as_array()[0].as_object();
  EXPECT_EQ(endpoint.at("tenant").as_string(), "acme");
  EXPECT_EQ(endpoint.at("url").as_string(), kHook);
  EXPECT_EQ(endpoint.at("state").as_string(), "active");
  const boost::json::array& secrets = endpoint.at("secrets").as_array();
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets[0].at("secret").as_string(), two[0]);
  EXPECT_TRUE(secrets[0].at("expires").is_null());
  EXPECT_EQ(secrets[1].at("secret").as_string(), first);
  EXPECT_TRUE(secrets[1].at("expires").is_string());

  // The contact's form of the URL works too; with no overlap the newest secret alone is valid.
  const CtlResult alone =
      admin({"webhook", "rotate", "acme", kHookContact, "--overlap-hours", "0"});
  ASSERT_EQ(alone.exit_code, 0) << alone.err;
  const std::vector<std::string> one = validSecrets(kHook);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_THAT(alone.out, HasSubstr("\n    " + one[0] + "\n"));
  EXPECT_THAT(alone.out, HasSubstr("No older secret signs any more"));
  const CtlResult text = admin({"webhook", "list", "--tenant", "acme"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("webhook endpoints of acme: 1 (0 disabled)\n"));
  EXPECT_THAT(text.out, ContainsRegex("\nacme +https://hooks.acme.example/credit +active +whsec_"));
  EXPECT_THAT(text.out, HasSubstr(" " + one[0] + " (current)\n"));
  EXPECT_THAT(text.out, Not(HasSubstr(two[0])));
}

TEST_F(CreditctlWebhooksTest, AnUnknownTenantOrWebhookFailsWithExitOneAndTheDatabasesMessage) {
  setHook();
  for (const auto& [args, mentions] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"webhook", "rotate", "acme", "https://elsewhere.example/x"},
            "tenant acme has no webhook 'https://elsewhere.example/x'"},
           {{"webhook", "rotate", "nobody", kHook},
            "tenant nobody has no webhook 'https://hooks.acme.example/credit'"},
           {{"webhook", "enable", "acme", "https://elsewhere.example/x"},
            "tenant acme has no webhook 'https://elsewhere.example/x'"},
           {{"webhook", "list", "--tenant", "nobody"}, "unknown tenant 'nobody'"}}) {
    const CtlResult run = admin(args);
    EXPECT_EQ(run.exit_code, 1) << mentions << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(mentions));
    EXPECT_EQ(run.out, "");
  }
  EXPECT_EQ(validSecrets(kHook).size(), 1u);
}

TEST_F(CreditctlWebhooksTest, EnableSwitchesADisabledWebhookBackOn) {
  setHook();
  db_.exec(
      "UPDATE creditgate.webhook_endpoint SET disabled_at = now(),"
      "       disabled_reason = 'answered 410 to event 7'");

  const CtlResult list = admin({"webhook", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("webhook endpoints: 1 (1 disabled)\n"));
  EXPECT_THAT(list.out,
              ContainsRegex("disabled since [0-9-]+ [0-9:]+ UTC: answered 410 to event 7"));
  const boost::json::object json = parsedObject(admin({"webhook", "list", "--json"}).out);
  const auto& endpoint = json.at("endpoints").as_array().at(0).as_object();
  EXPECT_EQ(endpoint.at("state").as_string(), "disabled");
  EXPECT_TRUE(endpoint.at("disabled_since").is_string());
  EXPECT_EQ(endpoint.at("disabled_reason").as_string(), "answered 410 to event 7");

  const CtlResult enabled = admin({"webhook", "enable", "acme", kHook});
  ASSERT_EQ(enabled.exit_code, 0) << enabled.err;
  EXPECT_THAT(enabled.out, HasSubstr("webhook https://hooks.acme.example/credit of acme enabled "
                                     "(disabled since "));
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.webhook_endpoint"
                         " WHERE disabled_at IS NULL AND disabled_reason IS NULL"),
            1);
  const boost::json::object after = parsedObject(admin({"webhook", "list", "--json"}).out);
  EXPECT_EQ(after.at("endpoints").as_array().at(0).at("state").as_string(), "active");
  EXPECT_EQ(after.at("disabled").as_int64(), 0);

  const CtlResult again = admin({"webhook", "enable", "acme", kHookContact});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("was not disabled (nothing changed)"));
}

TEST_F(CreditctlWebhooksTest, EventsShowEachChannelsDeliveryAfterARelaysRun) {
  ASSERT_EQ(admin({"tenant", "contacts", "acme", "email:ops@acme.example", kHookContact}).exit_code,
            0);
  refuseABatch("b-1");
  // Not fanned out yet: no delivery record.
  const boost::json::object fresh = parsedObject(admin({"events", "--json"}).out);
  const auto& unfanned = fresh.at("events").as_array().at(0).as_object();
  EXPECT_TRUE(unfanned.at("pending").as_bool());
  EXPECT_EQ(unfanned.at("attempts").as_int64(), 0);
  EXPECT_TRUE(unfanned.at("deliveries").as_array().empty());
  EXPECT_THAT(admin({"events", "--pending"}).out, HasSubstr("not fanned out yet"));

  // A relay: one delivery per channel; the mail goes out, the webhook answers 500.
  db_.exec(
      "SELECT creditgate.finish_delivery('test-relay', tenant_id, event_id, channel,"
      "         CASE kind WHEN 'email' THEN 'delivered' ELSE 'retry' END,"
      "         CASE kind WHEN 'email' THEN 250 ELSE 500 END,"
      "         CASE kind WHEN 'email' THEN NULL ELSE 'HTTP 500' END, 60000, 86400000)"
      "  FROM creditgate.claim_deliveries('test-relay', 10, 60000)");

  const CtlResult run = admin({"events", "--pending", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = parsedObject(run.out);
  ASSERT_EQ(json.at("events").as_array().size(), 1u);
  const auto& event = json.at("events").as_array()[0].as_object();
  EXPECT_TRUE(event.at("pending").as_bool());
  EXPECT_EQ(event.at("attempts").as_int64(), 2);
  EXPECT_EQ(event.at("last_error").as_string(), "HTTP 500");
  EXPECT_TRUE(event.at("next_attempt").is_string());
  const boost::json::array& deliveries = event.at("deliveries").as_array();
  ASSERT_EQ(deliveries.size(), 2u);
  const auto& mail = deliveries[0].as_object();
  EXPECT_EQ(mail.at("channel").as_string(), "email:ops@acme.example");
  EXPECT_EQ(mail.at("kind").as_string(), "email");
  EXPECT_EQ(mail.at("state").as_string(), "delivered");
  EXPECT_EQ(mail.at("attempts").as_int64(), 1);
  EXPECT_EQ(mail.at("last_status").as_int64(), 250);
  EXPECT_TRUE(mail.at("delivered").is_string());
  EXPECT_TRUE(mail.at("next_attempt").is_null());
  const auto& hook = deliveries[1].as_object();
  EXPECT_EQ(hook.at("channel").as_string(), kHookContact);
  EXPECT_EQ(hook.at("kind").as_string(), "webhook");
  EXPECT_EQ(hook.at("state").as_string(), "pending");
  EXPECT_EQ(hook.at("attempts").as_int64(), 1);
  EXPECT_EQ(hook.at("last_status").as_int64(), 500);
  EXPECT_EQ(hook.at("last_error").as_string(), "HTTP 500");
  EXPECT_TRUE(hook.at("delivered").is_null());
  EXPECT_EQ(hook.at("next_attempt"), event.at("next_attempt"));

  const CtlResult text = admin({"events"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("email:ops@acme.example delivered; "
                                  "webhook:https://hooks.acme.example/credit pending 1x (500)"));

  // Its retry is due; the endpoint answers 410 Gone: disabled, and the event is sent.
  db_.exec(
      "UPDATE creditgate.notification_delivery SET available_at = now() WHERE kind = 'webhook'");
  db_.exec(
      "SELECT creditgate.finish_delivery('test-relay', tenant_id, event_id, channel, 'gone', 410,"
      "                                  'HTTP 410', 60000, 86400000)"
      "  FROM creditgate.claim_deliveries('test-relay', 10, 60000)");
  const boost::json::object gone = parsedObject(admin({"events", "--json"}).out);
  const auto& closed = gone.at("events").as_array().at(0).as_object();
  EXPECT_FALSE(closed.at("pending").as_bool());
  EXPECT_EQ(closed.at("attempts").as_int64(), 3);
  EXPECT_TRUE(closed.at("next_attempt").is_null());
  const auto& disabled = closed.at("deliveries").as_array().at(1).as_object();
  EXPECT_EQ(disabled.at("state").as_string(), "disabled");
  EXPECT_EQ(disabled.at("attempts").as_int64(), 2);
  EXPECT_EQ(disabled.at("last_status").as_int64(), 410);
  EXPECT_TRUE(disabled.at("next_attempt").is_null());
  EXPECT_THAT(admin({"events"}).out, HasSubstr(kHookContact + std::string(" disabled 2x (410)")));

  const CtlResult list = admin({"webhook", "list"});
  EXPECT_THAT(list.out, ContainsRegex("disabled since [0-9-]+ [0-9:]+ UTC: answered 410 to event"));
  const CtlResult enabled = admin({"webhook", "enable", "acme", kHook});
  ASSERT_EQ(enabled.exit_code, 0) << enabled.err;
  EXPECT_THAT(enabled.out, HasSubstr("answered 410 to event"));
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.webhook_endpoint"
                         " WHERE disabled_at IS NOT NULL"),
            0);
}

TEST_F(CreditctlWebhooksTest, BadArgumentsExitTwoBeforeConnectingAndNoDatabaseExitsThree) {
  // The DSN points nowhere: exit 2 (not 3) proves the check ran before any connection.
  for (const auto& [args, mentions] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"webhook", "rotate", "acme"}, "missing argument"},
           {{"webhook", "rotate", "acme", kHook, "--overlap-hours", "-1"}, "--overlap-hours '-1'"},
           {{"webhook", "rotate", "acme", kHook, "--overlap-hours", "721"}, "from 0 to 720"},
           {{"webhook", "rotate", "acme", kHook, "--overlap-hours", "1.5"}, "'1.5'"},
           {{"webhook", "rotate", "ac me", kHook}, "tenant ID 'ac me'"},
           {{"webhook", "enable", "acme", ""}, "URL ''"},
           {{"webhook", "enable", "acme", "webhook:"}, "URL 'webhook:'"},
           {{"webhook", "enable", "acme", "https://x\n"}, "URL 'https://x\\x0a'"},
           {{"webhook", "list", "extra"}, "too many arguments"},
           {{"webhook", "list", "--tenant", ""}, "tenant ID ''"},
           {{"webhook", "list", "--since", "2026-01-01"}, "--since"},
           {{"tenant", "contacts", "acme", std::string(2001, 'x')}, "1 to 2000 characters"}}) {
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 2) << mentions << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(mentions));
    EXPECT_EQ(run.out, "");
  }
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"webhook", "list"},
                                             {"webhook", "rotate", "acme", kHook},
                                             {"webhook", "enable", "acme", kHook}}) {
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 3) << args[1] << ": " << run.err;
    EXPECT_TRUE(run.err.starts_with("creditctl: cannot reach the database: ")) << run.err;
  }
}

TEST_F(CreditctlWebhooksTest, HelpExplainsTheChannelsAndListsTheWebhookCommands) {
  const CtlResult contacts_help = ctl({"tenant", "contacts", "--help"}, std::nullopt);
  EXPECT_EQ(contacts_help.exit_code, 0);
  EXPECT_THAT(contacts_help.out, HasSubstr("email:<address>"));
  EXPECT_THAT(contacts_help.out, HasSubstr("webhook:<https url>"));
  EXPECT_THAT(contacts_help.out, HasSubstr("127.0.0.1, localhost or [::1]"));
  const CtlResult webhook_help = ctl({"webhook", "--help"}, std::nullopt);
  EXPECT_EQ(webhook_help.exit_code, 0);
  for (const char* usage : {"creditctl webhook list [--tenant TENANT] [--json]",
                            "creditctl webhook rotate TENANT URL [--overlap-hours H]",
                            "creditctl webhook enable TENANT URL"}) {
    EXPECT_THAT(webhook_help.out, HasSubstr(usage));
  }
}

}  // namespace
}  // namespace creditgate::testing
