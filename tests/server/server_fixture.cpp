#include "server_fixture.hpp"

#include <boost/json/object.hpp>

namespace creditgate::testing {

std::string jsonEscaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string germanRecipientsJson(int n, int start) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += (i ? ",\"" : "\"") + std::string("+49151") + std::to_string(10000000 + start + i) + "\"";
  }
  return out;
}

std::string batchJson(const std::string& tenant, const std::string& recipients_array,
                      const std::string& category) {
  return R"({"tenant":")" + tenant + R"(","campaign":"spring","template":"offer_v1","category":")" +
         category + R"(","recipients":[)" + recipients_array + "]}";
}

void ServerTest::SetUp() {
  db_.seedRates();
}

void ServerTest::startServer(const std::string& policy_json, const std::string& limits_json,
                             int max_batch_recipients, const std::string& plugin_extra) {
  startServerWithPluginConfig(
      pluginConfigJson(db_.pluginDsn(), policy_json, max_batch_recipients, plugin_extra),
      limits_json);
}

void ServerTest::startServerWithPluginConfig(const std::string& plugin_config_json,
                                             const std::string& limits_json) {
  server_.reset();
  plugin_config_ = writeTempFile("creditgate.json", plugin_config_json);
  const std::filesystem::path& plugin_config = plugin_config_;
  std::string config =
      "{\n  \"listen\": \"127.0.0.1:0\",\n"
      "  \"plugin\": {\"library\": \"" CREDITGATE_PLUGIN_PATH "\", \"config\": \"" +
      jsonEscaped(plugin_config.string()) + "\"},\n" + "  \"auth\": {\"database_dsn\": \"" +
      jsonEscaped(keys_dsn_.empty() ? db_.serverDsn() : keys_dsn_) + "\", \"cache_ms\": 200},\n" +
      "  \"threads\": {\"io\": 2, \"workers\": 16}";
  if (!limits_json.empty()) config += ",\n  \"limits\": " + limits_json;
  if (!extra_members_.empty()) config += ",\n  " + extra_members_;
  config += "\n}\n";
  server_config_ = writeTempFile("server.json", config);
  server_ = std::make_unique<ServerProcess>(server_config_);
  if (gateway_key_.empty()) gateway_key_ = addApiKey("gateway");
}

std::string ServerTest::addApiKey(const std::string& scope) {
  const CtlResult result = runCreditctl(
      {"apikey", "add", "--scope", scope, "--label", "test", "--json"}, db_.adminDsn());
  if (result.exit_code != 0) {
    ADD_FAILURE() << "creditctl apikey add failed: " << result.err;
    return "";
  }
  return std::string(boost::json::parse(result.out).as_object().at("key").as_string());
}

HttpReply ServerTest::post(const std::string& target, const std::string& body,
                           const std::string& key) {
  return httpCall(server_->port(), "POST", target, body, key);
}

HttpReply ServerTest::get(const std::string& target, const std::string& key) {
  return httpCall(server_->port(), "GET", target, "", key);
}

boost::json::object ServerTest::json(const HttpReply& reply) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(reply.body, ec);
  if (ec || !value.is_object()) {
    ADD_FAILURE() << "not a JSON object (status " << reply.status << "): " << reply.body;
    return {};
  }
  return value.as_object();
}

}  // namespace creditgate::testing
