// A credit gate (the plugin's core, in-process) over a fresh test database with rates seeded.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "credit_gate.hpp"
#include "decimal_micros.hpp"
#include "fake_host.hpp"
#include "gate_factory.hpp"
#include "test_database.hpp"

namespace creditgate::testing {

// Owns the strings a Batch views, so tests can build batches in one expression.
struct OwnedBatch {
  std::string tenant_id;
  std::string batch_id;
  std::string campaign_id = "campaign";
  std::string template_name = "offer_v1";
  std::string category = "marketing";
  std::vector<std::string> recipients;
  std::vector<std::string_view> views;

  api::Batch view() {
    views.assign(recipients.begin(), recipients.end());
    return api::Batch{tenant_id, batch_id, campaign_id, template_name, category, views};
  }
};

inline OwnedBatch batch(const std::string& tenant, const std::string& id,
                        std::vector<std::string> recipients,
                        const std::string& category = "marketing") {
  OwnedBatch b;
  b.tenant_id = tenant;
  b.batch_id = id;
  b.category = category;
  b.recipients = std::move(recipients);
  return b;
}

// N distinct German mobile numbers (marketing: kEurGermanyMarketing each in EUR).
inline std::vector<std::string> germanNumbers(int n, int start = 0) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("+49151" + std::to_string(10000000 + start + i));
  return out;
}
// N distinct Indian numbers (EUR marketing: kEurMarketing each).
inline std::vector<std::string> indianNumbers(int n, int start = 0) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("+9198" + std::to_string(10000000 + start + i));
  return out;
}

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override { db_.seedRates(); }

  // (Re)creates the gate with this "policy" object.
  void startGate(const std::string& policy_json, int max_batch_recipients = 1000,
                 const std::string& extra_members = "") {
    startGateWithConfig(
        pluginConfigJson(db_.pluginDsn(), policy_json, max_batch_recipients, extra_members));
  }

  // (Re)creates the gate from a whole config file's text.
  void startGateWithConfig(const std::string& json) {
    gate_.reset();
    // CREDITGATE_TEST_UNPREPARED=1 (behind pgbouncer): every gate of the run without prepared
    // statements, whoever wrote its config.
    config_path_ = writeTempFile("creditgate.json", withTestPreparedStatements(json));
    config_text_path_ = config_path_.string();
    std::string error;
    gate_ = createGate(config_text_path_, host_, error);
    ASSERT_TRUE(gate_) << error;
  }

  api::Verdict decide(OwnedBatch batch) { return gate_->decide(batch.view()); }

  TestDatabase db_;
  FakeHost host_;
  std::filesystem::path config_path_;
  std::string config_text_path_;
  std::unique_ptr<api::CreditGate> gate_;
};

// The value of one series in Prometheus text (`series` as printed, labels sorted), or -1.
inline double metricValue(const std::string& text, const std::string& series) {
  const std::string line_start = "\n" + series + " ";
  const auto at = ("\n" + text).find(line_start);
  if (at == std::string::npos) return -1;
  return std::atof(text.c_str() + at + line_start.size() - 1);
}

inline constexpr const char* kBlockPolicy = R"({"on_insufficient_credit": "block"})";

}  // namespace creditgate::testing
