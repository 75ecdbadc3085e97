// Bad input over HTTP: every kind gets a clear answer naming what is wrong, and nothing changes in
// the ledger. Slow and oversized clients are cut off without holding the server.
#include <thread>

#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

constexpr const char* kLimits =
    R"({"max_body_bytes": 262144, "max_header_bytes": 8192, "header_timeout_ms": 1000,)"
    R"( "body_timeout_ms": 1000})";

class BadInputTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    db_.addTenant("acme", "EUR", 100'000'000);
    startServer(R"({"on_insufficient_credit": "block"})", kLimits);
    entries_ = db_.count("ledger_entry");
  }
  void TearDown() override {
    // Whatever was refused, the ledger did not move.
    EXPECT_EQ(db_.count("ledger_entry"), entries_);
    EXPECT_EQ(db_.balance("acme"), 100'000'000);
  }

  HttpReply decideRaw(const std::string& body, const std::string& content_type = "application/json",
                      const std::string& id = "b-bad") {
    return httpCall(server_->port(), "POST", "/v1/batches/" + id + "/decide", body, gateway_key_,
                    content_type);
  }
  static std::string code(const HttpReply& reply) {
    return std::string(json(reply).at("error").as_object().at("code").as_string());
  }
  static std::string field(const HttpReply& reply) {
    const boost::json::object body = json(reply);
    const auto& error = body.at("error").as_object();
    return error.contains("field") ? std::string(error.at("field").as_string()) : "";
  }

  std::int64_t entries_ = 0;
};

TEST_F(BadInputTest, MalformedJsonIs400WithWhereItBroke) {
  const HttpReply reply = decideRaw(R"({"tenant": "acme", "template": )");
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(code(reply), "malformed_json");
  EXPECT_NE(json(reply).at("error").as_object().at("message").as_string().find("line 1, column"),
            std::string::npos)
      << reply.body;
}

TEST_F(BadInputTest, TextThatIsNotUtf8Is400) {
  const HttpReply reply = decideRaw(batchJson("ac\xff\xfe", germanRecipientsJson(1)));
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(code(reply), "malformed_json");
}

TEST_F(BadInputTest, AnythingButJsonIs415) {
  const std::string body = batchJson("acme", germanRecipientsJson(1));
  for (const std::string& type : {std::string("text/plain"), std::string(""),
                                  std::string("application/json; charset=latin1")}) {
    const HttpReply reply = decideRaw(body, type);
    EXPECT_EQ(reply.status, 415) << type << ": " << reply.body;
    EXPECT_EQ(code(reply), "unsupported_media_type");
  }
  // Media type names are case-insensitive (a quote: this test moves no money).
  EXPECT_EQ(httpCall(server_->port(), "POST", "/v1/quote", body, gateway_key_,
                     "Application/JSON; charset=UTF-8")
                .status,
            200);
}

TEST_F(BadInputTest, UnknownMissingAndMistypedFieldsAre422NamingTheField) {
  struct Case {
    std::string body, code, field;
  };
  const std::vector<Case> cases = {
      {R"({"tenant":"acme","template":"t","category":"marketing","recipients":["+4915110000000"],"colour":"red"})",
       "unknown_field", "colour"},
      {R"({"template":"t","category":"marketing","recipients":["+4915110000000"]})",
       "missing_field", "tenant"},
      {R"({"tenant":"acme","template":"t","category":"marketing","recipients":"+4915110000000"})",
       "wrong_type", "recipients"},
      {R"({"tenant":"acme","template":"t","category":"marketing","recipients":["+4915110000000", 7]})",
       "wrong_type", "recipients[1]"},
      {R"([1,2])", "wrong_type", ""},
      {R"({"tenant":"acme","template":"t","category":"marketing","recipients":["+12"]})",
       "invalid_recipient", "recipients"},
      {R"({"tenant":"acme","template":"t","category":"promo","recipients":["+4915110000000"]})",
       "unknown_category", "category"},
      {R"({"tenant":"acme","tenant":"acme","template":"t","category":"marketing","recipients":[]})",
       "malformed_json", ""},
  };
  for (const Case& c : cases) {
    const HttpReply reply = decideRaw(c.body);
    EXPECT_EQ(reply.status, c.code == "malformed_json" ? 400 : 422)
        << c.body << " -> " << reply.body;
    EXPECT_EQ(code(reply), c.code) << c.body << " -> " << reply.body;
    EXPECT_EQ(field(reply), c.field) << c.body << " -> " << reply.body;
  }
  const HttpReply outcome =
      httpCall(server_->port(), "POST", "/v1/batches/b1/outcomes",
               R"({"tenant":"acme","outcomes":[{"recipient":"+4915110000000","status":"lost"}]})",
               gateway_key_);
  EXPECT_EQ(outcome.status, 422) << outcome.body;
  EXPECT_EQ(field(outcome), "outcomes[0].status");
}

TEST_F(BadInputTest, TenThousandRecipientsOverThePluginLimitAre422) {
  const HttpReply reply = decideRaw(batchJson("acme", germanRecipientsJson(10'000)));
  EXPECT_EQ(reply.status, 422) << reply.body.substr(0, 400);
  EXPECT_EQ(code(reply), "too_many_recipients");
  EXPECT_EQ(field(reply), "recipients");
}

TEST_F(BadInputTest, ABodyOverTheLimitIs413BeforeItIsRead) {
  // Content-Length says 10 MB and no byte of it is sent: the answer comes anyway, so the server
  // answered from the header alone, and then closed the connection.
  HttpConnection connection(server_->port());
  connection.sendRaw(
      "POST /v1/batches/big/decide HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nAuthorization: Bearer " +
      gateway_key_ + "\r\nContent-Length: 10000000\r\n\r\n");
  std::optional<HttpReply> reply = connection.readReply(std::chrono::seconds(5));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413) << reply->body;
  EXPECT_EQ(code(*reply), "body_too_large");
  EXPECT_TRUE(connection.closedWithin(std::chrono::seconds(5)));
  logExchange("POST", "/v1/batches/big/decide", *reply);

  // Chunked, so no length up front: refused once the limit is passed.
  HttpConnection chunked(server_->port());
  std::string chunk(100'000, ' ');
  std::string request =
      "POST /v1/batches/big2/decide HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/json\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer " +
      gateway_key_ + "\r\n\r\n";
  chunked.sendRaw(request);
  try {
    for (int i = 0; i < 4; ++i) chunked.sendRaw("186a0\r\n" + chunk + "\r\n");
  } catch (const std::exception&) {
    // The server may close while we still send: the answer below is what counts.
  }
  reply = chunked.readReply(std::chrono::seconds(5));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
}

TEST_F(BadInputTest, ASlowLorisClientIsCutOffAndOthersAreServedMeanwhile) {
  HttpConnection slow(server_->port());
  slow.sendRaw("POST /v1/quote HTTP/1.1\r\nHost: x\r\n");
  const auto started = std::chrono::steady_clock::now();
  bool closed = false;
  // One header byte every 200 ms: never a complete header.
  for (int i = 0; i < 40 && !closed; ++i) {
    try {
      slow.sendRaw("X");
    } catch (const std::exception&) {
      closed = true;
      break;
    }
    EXPECT_EQ(get("/healthz", "").status, 200);  // the server is not held up
    closed = slow.closedWithin(std::chrono::milliseconds(200));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_TRUE(closed) << "a client trickling its header was still connected after " << seconds
                      << " s (header_timeout_ms is 1000)";
  EXPECT_LT(seconds, 5.0);
  // The same for a body announced and never sent (body_timeout_ms).
  HttpConnection stalled(server_->port());
  stalled.sendRaw(
      "POST /v1/quote HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Authorization: Bearer " +
      gateway_key_ + "\r\nContent-Length: 100\r\n\r\n{");
  EXPECT_TRUE(stalled.closedWithin(std::chrono::seconds(5)));
  const HttpReply metrics = get("/metrics", "");
  // Both counted (at least: a healthz connection of the loop may have timed out as well when
  // the machine is slow).
  const std::string counted = "creditgate_http_client_timeouts_total";
  const std::size_t at = metrics.body.find("\n" + counted + " ");
  ASSERT_NE(at, std::string::npos) << metrics.body.substr(0, 2000);
  EXPECT_GE(std::stoi(metrics.body.substr(at + counted.size() + 2)), 2)
      << metrics.body.substr(at, 80);
}

TEST_F(BadInputTest, AHeaderFloodIs431) {
  HttpConnection connection(server_->port());
  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 300; ++i)
    request += "X-Flood-" + std::to_string(i) + ": " + std::string(60, 'a') + "\r\n";
  request += "\r\n";
  try {
    connection.sendRaw(request);
  } catch (const std::exception&) {
  }
  std::optional<HttpReply> reply = connection.readReply(std::chrono::seconds(5));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 431);
  logExchange("GET", "/healthz", *reply);
}

TEST_F(BadInputTest, PathTraversalAndBadIdsInThePathAreRefused) {
  const std::string body = batchJson("acme", germanRecipientsJson(1));
  for (const std::string& id : {std::string("..%2F..%2Fetc"), std::string("%2e%2e"),
                                std::string("a%2fb"), std::string("bad%zz"), std::string("%00x")}) {
    const HttpReply reply = decideRaw(body, "application/json", id);
    EXPECT_EQ(reply.status, 400) << id << ": " << reply.body;
    EXPECT_EQ(code(reply), "invalid_path") << id;
  }
  // Decoded, but not a valid batch id for the plugin (not printable ASCII): 422 naming batch_id.
  const HttpReply reply = decideRaw(body, "application/json", "%FF%FE");
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(field(reply), "batch_id");
  const HttpReply balance = get("/v1/tenants/..%2Facme/balance", addApiKey("admin"));
  EXPECT_EQ(balance.status, 400) << balance.body;
}

TEST_F(BadInputTest, UnknownPathsAre404AndWrongMethods405) {
  EXPECT_EQ(get("/v1/nothing", gateway_key_).status, 404);
  EXPECT_EQ(get("/v2/quote", gateway_key_).status, 404);
  const HttpReply wrong = get("/v1/batches/b1/decide", gateway_key_);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("Allow"), "POST");
}

}  // namespace
}  // namespace creditgate::testing
