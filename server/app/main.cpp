// creditgate-server: the credit gate as an HTTP billing API. A host of the plugin like any gateway
// (loaded through host_api, ABI-checked, lent a log, a notifier and a clock), with an HTTP face.
//
//   creditgate-server --config /etc/creditgate/server.json
//   creditgate-server --config server.json --check-config
//
// Signals: SIGTERM/SIGINT stop gracefully (no new connections, requests in flight answered within
// limits.shutdown_grace_ms, then the plugin is closed); SIGHUP reloads the plugin's config. Under
// systemd (Type=notify) each of these, and readiness, is also told to systemd (service_notify.hpp).
// Exit codes: 0 stopped cleanly, 1 could not start (plugin, port, TLS), 2 bad command line/config.
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "billing_api.hpp"
#include "creditgate/plugin_loader.hpp"
#include "creditgate/version.hpp"
#include "host_services.hpp"
#include "http_server.hpp"
#include "key_store.hpp"
#include "portal_route.hpp"
#include "portal_site.hpp"
#include "portal_store.hpp"
#include "server_config.hpp"
#include "server_metrics.hpp"
#include "service_notify.hpp"

namespace {

namespace api = creditgate::api;
namespace server = creditgate::server;
namespace net = boost::asio;

// --help. The man page creditgate-server(8) is made from it (packaging/man/help-to-roff.awk: its
// second line is the page's NAME, each "name:" block a section).
constexpr const char* kUsage = "usage: creditgate-server --config FILE [--check-config]\n";
constexpr const char* kHelp =
    "usage: creditgate-server --config FILE [--check-config]\n"
    "creditgate-server serves the creditgate credit gate as an HTTP billing API.\n"
    "It loads the creditgate plugin like any gateway and answers decide, quote and outcome\n"
    "requests, balances and the billing portal over HTTP or HTTPS, with API keys made by\n"
    "creditctl apikey add; it runs in the foreground and logs to stderr.\n"
    "\n"
    "options:\n"
    "  --config FILE    the server's JSON config (SERVER.md in\n"
    "                   /usr/share/doc/creditgate-server)\n"
    "  --check-config   read the config and check the files it names; print what is wrong\n"
    "                   or \"ok\", and exit\n"
    "  -h, --help       prints this help and exits\n"
    "  --version        prints \"creditgate-server " CREDITGATE_VERSION "\" and exits\n"
    "\n"
    "signals:\n"
    "  SIGTERM, SIGINT  stop gracefully: no new connections, requests in flight answered\n"
    "                   within limits.shutdown_grace_ms, then the plugin is closed\n"
    "  SIGHUP           reload the plugin's config (a bad one is refused, the running\n"
    "                   config stays)\n"
    "\n"
    "files:\n"
    "  " CREDITGATE_CONFIG_DIR "/server.json\n"
    "      the server's config, the usual --config FILE\n"
    "  " CREDITGATE_CONFIG_DIR "/creditgate.json\n"
    "      the plugin's config, as the server config's plugin.config names it\n"
    "\n"
    "exit status:\n"
    "  0   stopped cleanly, or --check-config found nothing wrong\n"
    "  1   could not start (plugin, port, TLS, a database login refused)\n"
    "  2   bad command line or config\n";

// Set by the signal handler, waited for by main().
struct StopRequest {
  std::mutex mutex;
  std::condition_variable changed;
  bool requested = false;

  void request() {
    std::lock_guard lock(mutex);
    requested = true;
    changed.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [this] { return requested; });
  }
};

// Says why keys cannot be checked, at most once every 10 s: an outage must be visible in the log
// without a line per request.
class KeyFailureLog {
 public:
  KeyFailureLog(api::HostServices& services, server::ApiKeyStore& keys)
      : services_(services), keys_(keys) {}
  void note() {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_.load();
    if (last != 0 &&
        now - last < std::chrono::steady_clock::duration(std::chrono::seconds(10)).count())
      return;
    if (!last_.compare_exchange_strong(last, now)) return;
    const auto failure = keys_.lastFailure();
    services_.log(api::LogLevel::error,
                  "API keys cannot be checked, requests get 503: " +
                      (failure ? failure->detail : std::string("the key store failed")));
  }

 private:
  api::HostServices& services_;
  server::ApiKeyStore& keys_;
  std::atomic<std::chrono::steady_clock::rep> last_{0};
};

void onSignal(net::signal_set& signals, api::CreditGate& gate, api::HostServices& services,
              net::thread_pool& workers, StopRequest& stop) {
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      // The reload reads a file and may take a moment: not on an I/O thread.
      net::post(workers, [&gate, &services] {
        server::notifyReloading();
        const api::ReloadResult result = gate.reload();
        server::notifyReloaded(result.ok, result.generation, result.restart_required);
        services.log(result.ok ? api::LogLevel::info : api::LogLevel::error,
                     std::string("SIGHUP: plugin config reload ") +
                         (result.ok ? "applied, generation " + std::to_string(result.generation)
                                    : "refused, the running config stays") +
                         (result.detail[0] ? std::string(": ") + result.detail : std::string()));
      });
      onSignal(signals, gate, services, workers, stop);
      return;
    }
    services.log(api::LogLevel::info, std::string("received ") + strsignal(signal) +
                                          ": stopping (requests in flight are answered first)");
    server::notifyStopping();
    stop.request();
  });
}

int run(const server::ServerConfig& config) {
  creditgate::host_kit::LoggingHostServices services(config.notifications_file);
  api::PluginContext context;
  const std::string plugin_config = config.plugin_config.string();
  context.config_path = plugin_config;
  context.services = &services;
  std::string error;
  std::shared_ptr<api::CreditGate> gate =
      api::loadCreditGate(config.plugin_library, context, error);
  if (!gate) {
    std::cerr << "creditgate-server: " << error << '\n';
    return 1;
  }

  server::ApiKeyStore keys(config.keys_dsn, config.keys_cache, config.keys_statement_timeout,
                           config.keys_prepared_statements);
  // A login that cannot look keys up is a mistake to stop on now, not an outage to ride out: every
  // request would be answered 503 "retry" forever.
  if (const auto problem = keys.probe()) {
    if (problem->kind == server::LookupFailure::Kind::refused) {
      std::cerr << "creditgate-server: auth.database_dsn: " << problem->detail
                << " (the login must be a member of role creditgate_server, on a database migrated"
                   " with creditctl migrate)\n";
      return 1;
    }
    services.log(api::LogLevel::warning, "API keys cannot be checked yet: " + problem->detail +
                                             "; requests get 503 until the database answers");
  }
  server::ServerMetrics metrics;
  metrics.readKeyLookupsWith([&keys] {
    const server::ApiKeyStore::Stats stats = keys.stats();
    return server::ServerMetrics::KeyLookups{stats.lookups, stats.failed_lookups};
  });
  KeyFailureLog key_failures(services, keys);
  server::BillingApi billing(
      *gate,
      [&keys, &key_failures](std::string_view header) {
        auto answer = keys.authenticate(header);
        if (const auto* failure = std::get_if<server::AuthFailure>(&answer);
            failure && *failure == server::AuthFailure::store_unavailable) {
          key_failures.note();
        }
        return answer;
      },
      metrics, config.metrics_need_admin);

  // The billing portal, when configured: its own database login (role creditgate_portal).
  std::optional<server::PortalStore> portal_store;
  std::optional<server::PortalSite> portal;
  if (config.portal) {
    portal_store.emplace(server::PortalStoreOptions{
        config.portal->database_dsn, config.portal->pool_size, config.portal->statement_timeout,
        config.portal->prepared_statements});
    if (const auto problem = portal_store->probe()) {
      if (problem->refused) {
        std::cerr << "creditgate-server: portal.database_dsn: " << problem->detail
                  << " (the login must be a member of role creditgate_portal, on a database"
                     " migrated with creditctl migrate)\n";
        return 1;
      }
      // Unreachable now: an outage to ride out (pages answer 503 until it answers), as for keys.
      services.log(api::LogLevel::warning,
                   "the billing portal's database cannot be reached yet: " + problem->detail +
                       "; portal pages answer 503 until it answers");
    }
    server::PortalSettings settings;
    settings.session_idle = config.portal->session_idle;
    settings.session_absolute = config.portal->session_absolute;
    settings.login_failures_allowed = config.portal->login_failures_allowed;
    settings.login_window = config.portal->login_window;
    settings.secure_cookies = config.tls || !server::isLoopback(config.listen_address);
    settings.warn = [&services](const std::string& message) {
      services.log(api::LogLevel::warning, message);
    };
    portal.emplace(*portal_store, *gate, settings);
  }

  net::io_context io(config.io_threads);
  net::thread_pool workers(static_cast<std::size_t>(config.worker_threads));
  std::optional<server::HttpServer> http;
  try {
    http.emplace(
        io, workers, config.listen_address, config.listen_port, config.limits, config.tls,
        [&billing, &portal](server::Request&& request) -> server::Handled {
          if (portal && server::isPortalTarget(request.target)) {
            return {portal->handle(request), "portal"};
          }
          return billing.handle(request);
        },
        metrics);
  } catch (const std::exception& e) {
    std::cerr << "creditgate-server: " << e.what() << '\n';
    return 1;
  }

  StopRequest stop;
  net::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  onSignal(signals, *gate, services, workers, stop);

  if (!config.tls && !server::isLoopback(config.listen_address)) {
    services.log(
        api::LogLevel::warning,
        "listening on " + config.listen_address +
            " without TLS: API keys cross the network in clear unless a TLS proxy is in front");
  }
  http->start();
  // Keeps io.run() going while every connection waits on a worker: during a shutdown the closed
  // listener no longer does, and the answers of requests in flight would never be written.
  auto keep_running = net::make_work_guard(io);
  std::vector<std::thread> io_threads;
  for (int i = 0; i < config.io_threads; ++i) io_threads.emplace_back([&io] { io.run(); });
  // One line on stdout, flushed, that scripts and tests wait for (the port matters with port 0).
  const std::string url = std::string(config.tls ? "https" : "http") + "://" +
                          config.listen_address + ":" + std::to_string(http->port());
  std::printf("creditgate-server listening on %s\n", url.c_str());
  std::fflush(stdout);
  // The same moment for systemd (Type=notify): `systemctl start` returns now.
  server::notifyReady("serving on " + url);

  stop.wait();
  billing.beginDrain();
  http->stopAccepting();
  const auto deadline = std::chrono::steady_clock::now() + config.shutdown_grace;
  while (http->openConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::size_t abandoned = http->openConnections();
  io.stop();
  for (std::thread& t : io_threads) t.join();
  // A plugin call still running finishes (within its own deadline); its client, cut off, retries
  // with the same batch id and gets the recorded verdict.
  workers.join();
  if (abandoned > 0) {
    services.log(
        api::LogLevel::warning,
        std::to_string(abandoned) +
            " connection(s) still open at the end of limits.shutdown_grace_ms were closed");
  }
  http.reset();
  gate.reset();
  services.log(api::LogLevel::info, "stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--check-config") {
      check_only = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kHelp;
      return 0;
    } else if (arg == "--version") {
      std::cout << "creditgate-server " CREDITGATE_VERSION "\n";
      return 0;
    } else {
      std::cerr << "creditgate-server: unknown argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "creditgate-server: --config FILE is required\n" << kUsage;
    return 2;
  }
  auto loaded = server::loadServerConfig(config_path);
  if (auto* bad = std::get_if<server::ServerConfigError>(&loaded)) {
    std::cerr << "creditgate-server: " << bad->message << '\n';
    return 2;
  }
  if (check_only) {
    // The files it names must be there too; the plugin's own config is the plugin's to check when
    // it loads (creditctl quote --config reads it the same way).
    const auto problems = server::unreadableFiles(std::get<server::ServerConfig>(loaded));
    for (const std::string& problem : problems) {
      std::cerr << "creditgate-server: " << config_path << ": " << problem << '\n';
    }
    if (!problems.empty()) return 2;
    std::cout << "ok\n";
    return 0;
  }
  try {
    return run(std::get<server::ServerConfig>(loaded));
  } catch (const std::exception& e) {
    std::cerr << "creditgate-server: " << e.what() << '\n';
    return 1;
  }
}
