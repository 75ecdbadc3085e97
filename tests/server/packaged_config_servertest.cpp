// The configs the creditgate-server package installs in /etc/creditgate (packaging/etc/*.in, filled
// in by packaging/systemd/CMakeLists.txt): --check-config accepts them as the unit's ExecStartPre
// runs it, and a server started with them (the database and port swapped for the test's) is ready.
#include <fstream>
#include <sstream>

#include "fake_host.hpp"
#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

std::string readSource(const std::string& relative) {
  std::ifstream in(std::string(CREDITGATE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every occurrence of `from` in `text` replaced; fails the test when there is none.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in:\n" << text;
  for (; at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class PackagedConfigTest : public ServerTest {};

TEST_F(PackagedConfigTest, TheDefaultConfigsPassCheckConfigAndServe) {
  const std::string packaged_dsn = "host=/var/run/postgresql dbname=creditgate";
  const std::filesystem::path state = writeTempFile("placeholder", "").parent_path();
  std::string plugin = readSource("packaging/etc/creditgate.json.in");
  plugin = replaced(plugin, "@CREDITGATE_STATEDIR@", jsonEscaped(state.string()));
  ASSERT_EQ(plugin.find('@'), std::string::npos) << "a variable this test does not know:\n"
                                                 << plugin;
  std::string server = readSource("packaging/etc/server.json.in");
  server = replaced(server, "@CREDITGATE_PLUGIN_INSTALLED@", CREDITGATE_PLUGIN_PATH);
  const std::filesystem::path plugin_path = writeTempFile("creditgate.json", plugin);
  server = replaced(server, "@CREDITGATE_SYSCONFDIR@/creditgate.json",
                    jsonEscaped(plugin_path.string()));
  ASSERT_EQ(server.find('@'), std::string::npos) << "a variable this test does not know:\n"
                                                 << server;

  const std::filesystem::path checked = writeTempFile("server.json", server);
  const ServerRun check = runServerCommand({"--config", checked.string(), "--check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "ok\n") << check.err;

  // Started for real, the plugin reads its config (the server only checks that it can be read).
  plugin_config_ = writeTempFile(
      "creditgate.json",
      withTestPreparedStatements(replaced(plugin, packaged_dsn, jsonEscaped(db_.pluginDsn()))));
  server =
      replaced(server, jsonEscaped(plugin_path.string()), jsonEscaped(plugin_config_.string()));
  server = replaced(server, "127.0.0.1:8080", "127.0.0.1:0");
  server = replaced(server, packaged_dsn, jsonEscaped(db_.serverDsn()));
  server_ = std::make_unique<ServerProcess>(writeTempFile("server.json", server));
  const HttpReply ready = get("/readyz", "");
  EXPECT_EQ(ready.status, 200) << ready.body << "\n" << server_->stderrText();
  EXPECT_TRUE(std::filesystem::exists(state / "server.journal")) << server_->stderrText();
}

}  // namespace
}  // namespace creditgate::testing
