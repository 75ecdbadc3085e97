// Test helper process: a gateway instance that only relays notifications (its config's relay on),
// until the test stops it (SIGTERM: a clean stop, printing how many deliveries this instance made
// from its own metrics) or kills it (SIGKILL: mid-delivery).
//   relay_gateway CONFIG
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "fake_host.hpp"
#include "gate_factory.hpp"

namespace {

// The sum of creditgate_notification_deliveries_total{...,outcome="delivered"} in metrics text.
long long deliveredIn(const std::string& metrics) {
  std::istringstream lines(metrics);
  long long delivered = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("creditgate_notification_deliveries_total{") &&
        line.find("outcome=\"delivered\"") != std::string::npos) {
      delivered += std::stoll(line.substr(line.rfind(' ') + 1));
    }
  }
  return delivered;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: relay_gateway CONFIG\n";
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, nullptr);  // before any plugin thread exists: they inherit it
  ::alarm(600);  // a test that died without stopping us: SIGALRM ends the process

  creditgate::testing::FakeHost host;
  std::string error;
  auto gate = creditgate::testing::createGate(argv[1], host, error);
  if (!gate) {
    std::cerr << error << "\n";
    return 3;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop, &signal);
  const long long delivered = deliveredIn(gate->metricsText());
  gate.reset();
  std::printf("delivered %lld\n", delivered);
  return 0;
}
