// A credit gate whose ledger connections go through a loopback proxy the test can switch: the
// database "down" (refuse), "stalled" (stall), or "losing answers" (the work is done, the answer
// is lost). For the outage, in-doubt and recovery tests.
#pragma once

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "gate_fixture.hpp"
#include "tcp_proxy.hpp"

namespace creditgate::testing {

struct ProxiedGateOptions {
  int statement_timeout_ms = 1000;
  int rates_refresh_ms = 200;
  bool journal = true;         // failure.journal_path set (a durable journal)
  std::string failure_extra;   // more members of "failure", e.g. R"(, "in_doubt_grace_s": 1)"
  std::string database_extra;  // more members of "database"
  std::string top_extra;       // more top-level members, e.g. R"(, "notifications": {...})"
};

class ProxiedGateTest : public GateTest {
 protected:
  void SetUp() override {
    GateTest::SetUp();
    // In front of the pgbouncer when the run goes through one (tests/pgbouncer/run.sh), so that
    // the plugin's path is proxy -> pgbouncer -> PostgreSQL.
    proxy_ = std::make_unique<TcpProxy>(pooledPort());
    journal_ = writeTempFile("outage.journal", "").string();
  }

  // (Re)starts the gate behind the proxy; `policy_extra` goes into "policy" after
  // on_insufficient_credit (e.g. R"(, "on_ledger_unavailable": "allow_flagged")").
  void startBehindProxy(const std::string& policy_extra, const ProxiedGateOptions& o = {}) {
    startGateWithConfig(R"({"database": {"dsn": ")" + db_.pluginDsn() +
                        " port=" + std::to_string(proxy_->port()) +
                        R"(", "statement_timeout_ms": )" + std::to_string(o.statement_timeout_ms) +
                        R"(, "connect_timeout_s": 1, "rates_refresh_ms": )" +
                        std::to_string(o.rates_refresh_ms) + o.database_extra + R"(},
        "policy": {"on_insufficient_credit": "block")" +
                        policy_extra + R"(},
        "failure": {)" + (o.journal ? R"("journal_path": ")" + journal_ + R"(", )" : "") +
                        R"("replay_ms": 100)" + o.failure_extra + R"(},
        "metrics": {"listen": ""})" +
                        o.top_extra + "}");
  }

  CreditGatePlugin& plugin() { return static_cast<CreditGatePlugin&>(*gate_); }

  // Decides `b` every 50 ms until the verdict is not a ledger failure or `limit` passed.
  api::Verdict decideUntilTheLedgerAnswers(
      OwnedBatch b, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    api::Verdict v;
    do {
      v = decide(b);
      if (v.reason != api::Reason::ledger_unavailable && v.reason != api::Reason::ledger_timeout &&
          v.reason != api::Reason::ledger_in_doubt) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < until);
    return v;
  }

  std::unique_ptr<TcpProxy> proxy_;
  std::string journal_;
};

}  // namespace creditgate::testing
