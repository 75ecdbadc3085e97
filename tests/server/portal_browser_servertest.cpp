// The billing portal in a real browser: Debian's Chromium, headless, driven by puppeteer-core
// (tests/browser/portal.mjs), against a real creditgate-server and PostgreSQL. This fixture makes
// the data a tenant and an admin would have (top-ups, batches sent, partly refunded and blocked,
// low-balance notifications, portal users from creditctl), runs the script, and then checks in the
// database what the clicks must have done: one ledger entry for a top-up submitted twice.
//
// CREDITGATE_SCREENSHOTS=DIR also writes the README's screenshots there (scripts/screenshots).
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>

#include "portal_client.hpp"
#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

std::string money(std::int64_t micros) {  // EUR as the portal writes it: 2 decimals or more
  std::string digits = std::to_string(micros < 0 ? -micros : micros);
  if (digits.size() < 7) digits.insert(0, 7 - digits.size(), '0');
  std::string fraction = digits.substr(digits.size() - 6);
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return (micros < 0 ? "-" : "") + digits.substr(0, digits.size() - 6) + "." + fraction;
}

std::string shellQuoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class PortalBrowserTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    db_.addTenant("acme", "EUR", 0);
    db_.addTenant("bistro", "EUR", 0);
    db_.topup("bistro", 7'000'000, "B-1");
    for (int i = 1; i <= 110; ++i) db_.topup("acme", 1'000'000, "INV-" + std::to_string(i));
    tenant_password_ = addPortalUser(db_.adminDsn(), "ops@acme.example", "tenant:acme");
    admin_password_ = addPortalUser(db_.adminDsn(), "boss@example.com", "admin");
    locked_password_ = addPortalUser(db_.adminDsn(), "victim@acme.example", "tenant:acme");
    extra_members_ = "\"portal\": {\"database_dsn\": \"" + jsonEscaped(db_.portalDsn()) +
                     "\", \"session_idle_minutes\": 1}";
    // Channels of every kind, the mail and webhook ones unreachable: the notifications page shows
    // the channels, a webhook secret and deliveries being retried with their errors (axe-checked).
    db_.exec(
        "SELECT creditgate.set_tenant_contacts('acme', ARRAY['email:ops@acme.example',"
        " 'webhook:http://127.0.0.1:9/hooks/acme?token=t', 'host'])");
    startServer(R"({"on_insufficient_credit": "block"})", "", 1000,
                R"("notifications": {"low_balance_warning": "100", "low_balance_critical": "20",)"
                R"( "email": {"smtp_url": "smtp://127.0.0.1:9", "starttls": "off"}})");
    // A campaign: 100 German recipients (13.65 EUR, crossing the 100 EUR warning), 2 of them
    // undelivered and refunded; a utility batch to India and Brazil; and one batch too big to pay.
    decide("spring-1", batchJson("acme", germanRecipientsJson(100)));
    post("/v1/batches/spring-1/outcomes",
         R"({"tenant":"acme","outcomes":[{"recipient":"+4915110000000","status":"failed"},)"
         R"({"recipient":"+4915110000001","status":"failed"}]})",
         gateway_key_);
    decide("receipts-1",
           batchJson("acme", R"("+919812345678","+5511987654321","+919812345679")", "utility"));
    decide("spring-big", batchJson("acme", germanRecipientsJson(1000, 500)));
  }

  void decide(const std::string& batch, const std::string& body) {
    const HttpReply reply = post("/v1/batches/" + batch + "/decide", body, gateway_key_);
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  std::string tenant_password_, admin_password_, locked_password_;
};

TEST_F(PortalBrowserTest, TenantAndAdminUseThePortalInChromium) {
  const std::int64_t balance = db_.balance("acme");
  ASSERT_EQ(balance, db_.ledgerSum("acme"));
  const std::int64_t entries =
      db_.queryInt("SELECT count(*) FROM creditgate.ledger_entry WHERE tenant_id = 'acme'");
  const std::filesystem::path result = writeTempFile("browser-result.json", "");
  const std::filesystem::path downloads = writeTempFile("downloads", "").string() + ".d";
  std::filesystem::create_directories(downloads);

  const std::vector<std::pair<std::string, std::string>> env = {
      {"PORTAL_URL", "http://127.0.0.1:" + std::to_string(server_->port())},
      {"TENANT_EMAIL", "ops@acme.example"},
      {"TENANT_PASSWORD", tenant_password_},
      {"ADMIN_EMAIL", "boss@example.com"},
      {"ADMIN_PASSWORD", admin_password_},
      {"LOCKED_EMAIL", "victim@acme.example"},
      {"LOCKED_PASSWORD", locked_password_},
      {"TENANT", "acme"},
      {"OTHER_TENANT", "bistro"},
      {"EXPECT_BALANCE", money(balance) + " EUR"},
      {"EXPECT_LEDGER_ENTRIES", std::to_string(entries)},
      {"EXPECT_CSV_SUM_MICROS", std::to_string(balance)},
      {"TOP_UP", "100"},
      {"EXPECT_BALANCE_AFTER_TOP_UP", money(balance + 100'000'000) + " EUR"},
      {"EXPECT_LEVEL_BEFORE", "warning"},
      {"EXPECT_LEVEL_AFTER", "ok"},
      {"DOWNLOAD_DIR", downloads.string()},
      {"RESULT_FILE", result.string()},
  };
  std::string command;
  for (const auto& [name, value] : env) command += name + "=" + shellQuoted(value) + " ";
  if (const char* shots = std::getenv("CREDITGATE_SCREENSHOTS")) {
    command += "SCREENSHOT_DIR=" + shellQuoted(shots) + " ";
  }
  command += "bash " + shellQuoted(sourceDir().string() + "/tests/browser/run.sh") + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  ASSERT_EQ(status, 0) << output;
  std::cout << output;

  // What the clicks did, as the database holds it.
  std::ifstream in(result);
  std::stringstream text;
  text << in.rdbuf();
  const boost::json::object observed = boost::json::parse(text.str()).as_object();
  const std::string reference(observed.at("top_up_reference").as_string());
  {
    pqxx::nontransaction txn(db_.connection());
    EXPECT_EQ(txn.exec_params1("SELECT count(*) FROM creditgate.ledger_entry WHERE reference = $1",
                               reference)[0]
                  .as<int>(),
              1)
        << reference;
  }
  EXPECT_EQ(db_.balance("acme"), balance + 100'000'000);
  EXPECT_EQ(db_.balance("acme"), db_.ledgerSum("acme"));
  EXPECT_EQ(db_.balance("bistro"), 7'000'000);  // the forged form changed nothing
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.portal_topup"), 1);
}

}  // namespace
}  // namespace creditgate::testing
