#include "service_notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

namespace creditgate::server {
namespace {

// sd_notify answers < 0 on a failed send and 0 without NOTIFY_SOCKET; neither may stop or slow the
// server (systemd times the start out, or the reload shows as unfinished, which says enough).
// unset_environment 0: the plugin and anything it starts see the same environment as before.
void send(const std::string& state) {
  (void)sd_notify(0, state.c_str());
}

}  // namespace

void notifyReady(const std::string& status) {
  send("READY=1\nSTATUS=" + status);
}

void notifyReloading() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
                    static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
  send("RELOADING=1\nSTATUS=reloading the plugin config (SIGHUP)\nMONOTONIC_USEC=" +
       std::to_string(usec));
}

void notifyReloaded(bool applied, std::uint64_t generation, bool restart_required) {
  // The plugin's detail is left to the log: it names files and fields, and the status line is
  // short. The generation says which config answers now.
  std::string status =
      applied ? "serving; plugin config reload applied, generation " + std::to_string(generation)
              : "serving; plugin config reload refused, generation " + std::to_string(generation) +
                    " stays (see the log)";
  if (applied && restart_required) status += "; some changes wait for a restart (see the log)";
  send("READY=1\nSTATUS=" + status);
}

void notifyStopping() {
  send("STOPPING=1\nSTATUS=stopping: answering the requests in flight");
}

}  // namespace creditgate::server
