// creditgate-server's own config, read strictly: every mistake is refused with the file, line,
// column and field, the DSN's password never appears, and --check-config says so without starting.
#include <gtest/gtest.h>

#include "fake_host.hpp"
#include "server_fixture.hpp"
#include "server_process.hpp"

namespace creditgate::testing {
namespace {

struct Case {
  std::string json;
  std::string expected;  // a substring of stderr
};

TEST(ServerConfigTest, MistakesAreRefusedWithLineColumnAndField) {
  const std::string plugin = R"("plugin": {"library": "/x.so", "config": "/x.json"})";
  const std::string auth = R"("auth": {"database_dsn": "host=db password=hunter2-secret"})";
  const std::vector<Case> cases = {
      {"{\n  " + plugin + ",\n  " + auth + ",\n  \"lsten\": \"127.0.0.1:80\"\n}",
       "line 4, column 3: lsten: unknown key"},
      {"{\n  " + plugin + ",\n  " + auth + ",\n  \"listen\": \"8080\"\n}",
       "line 4, column 13: listen: '8080' is not ADDRESS:PORT"},
      {"{\n  " + plugin + ",\n  " + auth + ",\n  \"limits\": {\"max_body_bytes\": 10}\n}",
       "line 4, column 32: limits.max_body_bytes: 10 is out of range 1024.."},
      {"{\n  " + plugin + ",\n  " + auth + ",\n  \"threads\": {\"workers\": \"8\"}\n}",
       "threads.workers: expected a whole number, got string"},
      {"{\n  " + plugin + "\n}", "auth: is required"},
      {"{\n  " + plugin + ",\n  " + auth + ",\n  \"metrics_access\": \"public\"\n}",
       "metrics_access: 'public' is not open or admin_key"},
      {"{\n  " + plugin + ",\n  " + auth + ",\n", "line 4, column 1: "},
      {"{\n  " + plugin +
           ",\n  \"auth\": {\"database_dsn\": \"x\", \"prepared_statements\": \"no\"}\n}",
       "auth.prepared_statements: expected true or false, got string"},
      {"{\n  " + plugin + ",\n  " + auth +
           ",\n  \"portal\": {\"database_dsn\": \"x\", \"prepared_statements\": 0}\n}",
       "portal.prepared_statements: expected true or false, got "},
  };
  for (const Case& c : cases) {
    const auto file = writeTempFile("server.json", c.json);
    const ServerRun run = runServerCommand({"--config", file.string(), "--check-config"});
    EXPECT_EQ(run.exit_code, 2) << c.json;
    EXPECT_NE(run.err.find(file.string() + ": "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(c.expected), std::string::npos) << "stderr: " << run.err;
    EXPECT_EQ(run.err.find("hunter2"), std::string::npos) << run.err;
  }
  // Well-formed, but naming files that are not there: --check-config says which.
  const auto absent = writeTempFile("server.json", "{\n  " + plugin + ",\n  " + auth + "\n}");
  const ServerRun missing = runServerCommand({"--config", absent.string(), "--check-config"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("plugin.library: /x.so cannot be read"), std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("plugin.config: /x.json cannot be read"), std::string::npos);

  const auto plugin_config = writeTempFile("creditgate.json", "{}");
  const auto good =
      writeTempFile("server.json", "{\n  \"plugin\": {\"library\": \"" CREDITGATE_PLUGIN_PATH
                                   "\", \"config\": \"" +
                                       plugin_config.string() + "\"},\n  " + auth + "\n}");
  const ServerRun ok = runServerCommand({"--config", good.string(), "--check-config"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "ok\n");
}

TEST(ServerConfigTest, APluginThatCannotBeLoadedStopsTheStartWithExitCode1) {
  const auto file = writeTempFile(
      "server.json", R"({"listen": "127.0.0.1:0", "plugin": {"library": "/nonexistent/plugin.so",)"
                     R"( "config": "/x.json"}, "auth": {"database_dsn": "host=db"}})");
  const ServerRun run = runServerCommand({"--config", file.string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("/nonexistent/plugin.so"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace creditgate::testing

namespace creditgate::testing {
namespace {

class ServerStartTest : public ServerTest {};

TEST_F(ServerStartTest, AKeyLookupLoginWithoutTheServerRoleStopsTheStartAndSaysWhy) {
  keys_dsn_ = db_.adminDsn();  // a real login, but not a member of creditgate_server
  try {
    startServer(R"({"on_insufficient_credit": "block"})");
    FAIL() << "the server started with a key login that cannot look keys up";
  } catch (const std::runtime_error& e) {
    const std::string error = e.what();
    EXPECT_NE(error.find("auth.database_dsn: the database refused the key lookup: permission "
                         "denied for function "
                         "api_key_digest"),
              std::string::npos)
        << error;
    EXPECT_NE(error.find("creditgate_server"), std::string::npos) << error;
    EXPECT_EQ(error.find(kLoginPassword), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace creditgate::testing
