// TLS: with tls.certificate_chain and tls.private_key the server speaks HTTPS only. Checked with
// curl, an independent client, against a certificate made for the test; bad TLS files are refused
// at start with the file named.
#include <cstdlib>
#include <fstream>

#include "server_fixture.hpp"

namespace creditgate::testing {
namespace {

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

class TlsServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    db_.addTenant("acme", "EUR", 100'000'000);
    dir_ =
        writeTempFile("tls-dir-marker", "").parent_path() / ("tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string openssl =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() + " 2>&1";
    run(openssl);
    ASSERT_TRUE(std::filesystem::exists(dir_ / "cert.pem")) << openssl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string tlsMember(const std::string& cert, const std::string& key) {
    return R"("tls": {"certificate_chain": ")" + cert + R"(", "private_key": ")" + key + R"("})";
  }

  std::filesystem::path dir_;
};

TEST_F(TlsServerTest, DecidesOverHttpsAndRefusesPlainHttp) {
  extra_members_ = tlsMember((dir_ / "cert.pem").string(), (dir_ / "key.pem").string());
  startServer(R"({"on_insufficient_credit": "block"})");
  const std::string base = "https://127.0.0.1:" + std::to_string(server_->port());
  const std::string curl =
      "curl -sS --max-time 10 --cacert " + (dir_ / "cert.pem").string() + " -w '\\n%{http_code}' ";
  EXPECT_EQ(run(curl + base + "/healthz"), "{\"status\":\"up\"}\n200");
  const std::string decided =
      run(curl + "-H 'Authorization: Bearer " + gateway_key_ +
          "' -H 'Content-Type: application/json' --data-binary '" +
          batchJson("acme", germanRecipientsJson(2)) + "' " + base + "/v1/batches/tls-1/decide");
  EXPECT_NE(decided.find("\"decision\":\"allow\""), std::string::npos) << decided;
  EXPECT_EQ(decided.substr(decided.size() - 3), "200") << decided;
  EXPECT_EQ(db_.balance("acme"), 100'000'000 - 2 * kEurGermanyMarketing);
  // Plain HTTP to the TLS port gets no HTTP answer.
  EXPECT_THROW(httpCall(server_->port(), "GET", "/healthz"), std::runtime_error);
}

TEST_F(TlsServerTest, UnusableTlsFilesAreRefusedAtStartNamingTheField) {
  extra_members_ = tlsMember((dir_ / "missing.pem").string(), (dir_ / "key.pem").string());
  try {
    startServer(R"({"on_insufficient_credit": "block"})");
    FAIL() << "the server started with a certificate file that does not exist";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tls.certificate_chain"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace creditgate::testing
