// A password in the DSN never appears in what the plugin says: log lines, verdict, quote,
// settlement, balance and readiness details, metrics text. Neither when nothing listens at the
// address, nor when the database rejects the login (unknown database, unknown user).
#include "gate_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace creditgate::testing {
namespace {

constexpr const char* kSentinel = "sentinel-p4ss";

// A loopback port where nothing listens (bound, then closed: connecting is refused).
int deadPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// "host=127.0.0.1 port=56000" from the test cluster's DSN.
std::string testClusterHostPort() {
  const std::string dsn = std::getenv("CREDITGATE_TEST_PG");
  std::string out;
  for (const char* key : {"host=", "port="}) {
    const auto at = dsn.find(key);
    if (at == std::string::npos) continue;
    out += " " + dsn.substr(at, dsn.find(' ', at) - at);
  }
  return out;
}

class SecretLeakTest : public GateTest,
                       public ::testing::WithParamInterface<std::pair<const char*, std::string>> {
};

TEST_P(SecretLeakTest, SentinelPasswordAppearsNowhere) {
  db_.addTenant("acme", "EUR", 1'000'000);
  const std::string dsn = GetParam().second + " connect_timeout=2 password=" + kSentinel;
  startGateWithConfig(pluginConfigJson(dsn, kBlockPolicy));
  std::vector<std::string> said;
  for (int i = 0; i < 3; ++i) {
    OwnedBatch b = batch("acme", "b-" + std::to_string(i), germanNumbers(2));
    const api::Verdict v = gate_->decide(b.view());
    EXPECT_EQ(v.decision, api::Decision::block);
    said.push_back(v.detail);
    const api::Quote q = gate_->quote(b.view());
    said.push_back(q.detail);
    const std::vector<std::string_view> recipients(b.views.begin(), b.views.end());
    const std::vector<api::RecipientOutcome> outcomes = {
        {recipients[0], api::Delivery::failed}};
    const api::Settlement s = gate_->report({b.tenant_id, b.batch_id, outcomes});
    said.push_back(s.detail);
    said.push_back(gate_->balance(b.tenant_id).detail);
    said.push_back(gate_->readiness().detail);
  }
  said.push_back(gate_->metricsText());
  const api::ReloadResult reload = gate_->reload();
  said.push_back(reload.detail);
  gate_.reset();  // background threads have logged what they will
  for (const auto& line : host_.logs()) said.push_back(line);
  ASSERT_GT(host_.logs().size(), 0u) << "the failures were logged";
  for (const auto& text : said) {
    EXPECT_EQ(text.find(kSentinel), std::string::npos) << "the password leaked: " << text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Dsn, SecretLeakTest,
    ::testing::Values(
        std::make_pair("NothingListens", "host=127.0.0.1 port=" + std::to_string(deadPort()) +
                                             " dbname=creditgate user=creditgate_gateway"),
        std::make_pair("UnknownDatabase",
                       testClusterHostPort() + " dbname=no_such_db user=creditgate_test_plugin"),
        std::make_pair("UnknownUser",
                       testClusterHostPort() + " dbname=postgres user=no_such_user")),
    [](const auto& info) { return std::string(info.param.first); });

}  // namespace
}  // namespace creditgate::testing
