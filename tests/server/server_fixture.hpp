// A real creditgate-server over a fresh test database: the plugin .so loaded by the server, API
// keys made with creditctl as an admin makes them, requests over real HTTP.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "creditctl_runner.hpp"
#include "fake_host.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

namespace creditgate::testing {

// A JSON-escaped string literal's inside.
std::string jsonEscaped(const std::string& text);

// `n` distinct German mobile numbers as a JSON array's elements ("+49151...", ...).
std::string germanRecipientsJson(int n, int start = 0);

// The body of a decide or quote request.
std::string batchJson(const std::string& tenant, const std::string& recipients_array,
                      const std::string& category = "marketing");

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Writes the plugin's and the server's configs and starts the server. `limits_json`: the
  // server config's "limits" object ("" for the defaults).
  void startServer(const std::string& policy_json, const std::string& limits_json = "",
                   int max_batch_recipients = 1000, const std::string& plugin_extra = "");

  // The same with the plugin config's whole text (e.g. behind a TcpProxy).
  void startServerWithPluginConfig(const std::string& plugin_config_json,
                                   const std::string& limits_json = "");

  // `creditctl apikey add --scope SCOPE --json`: the key's text, shown once.
  std::string addApiKey(const std::string& scope);

  HttpReply post(const std::string& target, const std::string& body, const std::string& key);
  HttpReply get(const std::string& target, const std::string& key);
  static boost::json::object json(const HttpReply& reply);

  TestDatabase db_;
  std::unique_ptr<ServerProcess> server_;
  std::string gateway_key_;
  std::filesystem::path server_config_;
  std::filesystem::path plugin_config_;
  std::string keys_dsn_;  // the server's key lookups; db_.serverDsn() when empty
  std::string extra_members_;  // more top-level members of the server's config (e.g. "tls")
};

}  // namespace creditgate::testing
