// tiny_gateway CONFIG TENANT BATCH RECIPIENT: one decision through the installed plugin.
#include <chrono>
#include <creditgate/plugin_loader.hpp>
#include <iostream>

struct Services : creditgate::api::HostServices {
  void log(creditgate::api::LogLevel, std::string_view m) noexcept override {
    std::cerr << m << '\n';
  }
  bool notify(const creditgate::api::Notification&) noexcept override { return true; }
  std::int64_t nowUnixMicros() noexcept override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
};

int main(int argc, char** argv) {
  if (argc != 5) return 2;
  Services services;
  creditgate::api::PluginContext context{sizeof(context), argv[1], &services};
  std::string error;
  auto gate = creditgate::api::loadCreditGate(CREDITGATE_PLUGIN, context, error);
  if (!gate) {
    std::cerr << error << '\n';
    return 3;
  }
  std::string_view recipients[] = {argv[4]};
  auto v = gate->decide({argv[2], argv[3], "campaign", "offer", "marketing", recipients});
  std::cout << creditgate::api::decisionName(v.decision) << ' ' << v.charged_micros << ' '
            << v.currency << ' ' << v.detail << '\n';
  return v.decision == creditgate::api::Decision::allow ? 0 : 1;
}
