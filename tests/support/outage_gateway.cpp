// Test helper process: a gateway that warms up while the ledger answers (rates and the tenant are
// loaded), waits until GO_FILE exists (the test has taken the ledger down), decides COUNT batches,
// prints each verdict as it is acknowledged, then waits to be killed (SIGKILL) by the test.
//   outage_gateway CONFIG TENANT COUNT PREFIX GO_FILE
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "credit_gate.hpp"
#include "fake_host.hpp"
#include "gate_factory.hpp"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: outage_gateway CONFIG TENANT COUNT PREFIX GO_FILE\n";
    return 2;
  }
  const std::string config = argv[1], tenant = argv[2], prefix = argv[4], go_file = argv[5];
  const int count = std::stoi(argv[3]);
  creditgate::testing::FakeHost host;
  std::string error;
  auto gate = creditgate::testing::createGate(config, host, error);
  if (!gate) {
    std::cerr << error << "\n";
    return 3;
  }
  const std::string warm_recipient = "+4915129999999";
  const std::vector<std::string_view> warm = {warm_recipient};
  const auto warmed = gate->decide({tenant, prefix + "warm", "campaign", "offer_v1", "marketing", warm});
  std::printf("warm %s\n", creditgate::api::decisionName(warmed.decision));
  std::fflush(stdout);
  for (int waited = 0; ::access(go_file.c_str(), F_OK) != 0; ++waited) {
    if (waited > 3000) return 4;  // 30 s: the test is gone
    ::usleep(10'000);
  }
  for (int i = 0; i < count; ++i) {
    const std::string id = prefix + std::to_string(i);
    const std::string recipient = "+49151" + std::to_string(20000000 + i);
    const std::vector<std::string_view> recipients = {recipient};
    const auto v = gate->decide({tenant, id, "campaign", "offer_v1", "marketing", recipients});
    std::printf("ack %s %s %lld\n", id.c_str(), creditgate::api::decisionName(v.decision),
                static_cast<long long>(v.charged_micros));
    std::fflush(stdout);
  }
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) ::pause();  // until the test kills us, mid-outage, journal not yet replayed
}
