// The real .so loaded through Boost.DLL exactly as a gateway loads it (host_api/plugin_loader.hpp).
#include <dlfcn.h>
#include <gtest/gtest.h>

#include "creditgate/plugin_loader.hpp"
#include "fake_host.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

bool libraryIsLoaded(const char* path) {
  void* handle = ::dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  ::dlclose(handle);  // RTLD_NOLOAD still took a reference
  return true;
}

class PluginLoadingTest : public ::testing::Test {
 protected:
  std::shared_ptr<api::CreditGate> load(const char* library, const std::string& config_path,
                                        std::string& error) {
    config_path_ = config_path;
    api::PluginContext context;
    context.config_path = config_path_;
    context.services = &host_;
    return api::loadCreditGate(library, context, error);
  }

  FakeHost host_;
  std::string config_path_;
};

TEST_F(PluginLoadingTest, LoadsTheRealPluginAndDecidesAgainstTheLedger) {
  TestDatabase db;
  db.seedRates();
  db.addTenant("acme", "EUR", 1'000'000);
  const auto config = writeTempFile(
      "creditgate.json", pluginConfigJson(db.pluginDsn(), R"({"on_insufficient_credit": "block"})"));
  std::string error;
  auto gate = load(CREDITGATE_PLUGIN_PATH, config.string(), error);
  ASSERT_TRUE(gate) << error;

  const std::vector<std::string_view> recipients = {"+4915112345678"};
  const api::Verdict v = gate->decide(
      api::Batch{"acme", "abi-1", "campaign", "offer_v1", "marketing", recipients});
  EXPECT_EQ(v.decision, api::Decision::allow) << v.detail;
  EXPECT_EQ(v.charged_micros, kEurGermanyMarketing);
  EXPECT_EQ(db.balance("acme"), 1'000'000 - kEurGermanyMarketing);
  EXPECT_NE(gate->metricsText().find("creditgate_decisions_total"), std::string::npos);
}

TEST_F(PluginLoadingTest, RefusesAPluginWithAnotherAbiStampNamingBothSides) {
  std::string error;
  auto gate = load(WRONG_ABI_PLUGIN_PATH, "/nonexistent.json", error);
  EXPECT_FALSE(gate);
  EXPECT_NE(error.find("not binary compatible"), std::string::npos) << error;
  EXPECT_NE(error.find("api_version: plugin 999, host " + std::to_string(api::kApiVersion)),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("compiler: plugin gcc 0.0.0-other, host "), std::string::npos) << error;
}

TEST_F(PluginLoadingTest, RefusesALibraryThatIsNotACreditgatePlugin) {
  std::string error;
  auto gate = load("/lib/x86_64-linux-gnu/libm.so.6", "/nonexistent.json", error);
  EXPECT_FALSE(gate);
  EXPECT_NE(error.find("is not a creditgate plugin"), std::string::npos) << error;
}

TEST_F(PluginLoadingTest, ReportsAMissingLibraryClearly) {
  std::string error;
  auto gate = load("/nonexistent/creditgate_plugin.so", "/nonexistent.json", error);
  EXPECT_FALSE(gate);
  EXPECT_NE(error.find("cannot load plugin /nonexistent/creditgate_plugin.so"), std::string::npos)
      << error;
}

TEST_F(PluginLoadingTest, FactoryRefusalNamesTheConfigProblem) {
  const auto config = writeTempFile("creditgate.json", R"({"database": {"dsn": "x"}, "polcy": {}})");
  std::string error;
  auto gate = load(CREDITGATE_PLUGIN_PATH, config.string(), error);
  EXPECT_FALSE(gate);
  EXPECT_NE(error.find("polcy"), std::string::npos) << error;
  EXPECT_NE(error.find("line 1"), std::string::npos) << error;
}

TEST_F(PluginLoadingTest, LibraryStaysLoadedUntilTheLastGateIsGoneAndThenUnloads) {
  TestDatabase db;
  db.seedRates();
  const auto config = writeTempFile(
      "creditgate.json", pluginConfigJson(db.pluginDsn(), R"({"on_insufficient_credit": "block"})"));
  std::string error;
  auto gate = load(CREDITGATE_PLUGIN_PATH, config.string(), error);
  ASSERT_TRUE(gate) << error;
  auto copy = gate;
  gate.reset();
  EXPECT_TRUE(libraryIsLoaded(CREDITGATE_PLUGIN_PATH));
  EXPECT_NE(copy->metricsText().find("creditgate_ledger_errors_total"), std::string::npos);
  copy.reset();
  // Built with -fno-gnu-unique, so unloading is real: nothing of the plugin outlives its gate.
  EXPECT_FALSE(libraryIsLoaded(CREDITGATE_PLUGIN_PATH));
}

}  // namespace
}  // namespace creditgate::testing
