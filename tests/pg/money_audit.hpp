// Test support: the money invariants (DESIGN.md "Money and its invariants") checked against what the
// gateway was told. Used by the crash, killed-backend and multi-process tests.
#pragma once

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace creditgate::testing {

// One verdict the gateway acted on: decision != block (it sent the batch).
struct Ack {
  std::string tenant_id;
  std::string batch_id;
  std::int64_t charged_micros = 0;
  bool replayed = false;
};

struct AuditTotals {
  std::map<std::string, std::int64_t> charged_per_tenant;  // Σ charged, each batch id once
  std::size_t debits = 0;                                   // debit rows in the ledger
  std::size_t acknowledged_batches = 0;                     // distinct (tenant, batch id) acked
};

// - every acknowledged batch has exactly one debit row, of exactly -charged;
// - no (tenant, batch id) has two debits, nor two first-time acknowledgements; a replay
//   acknowledges what the original charged;
// - when `every_debit_acknowledged` (all unknown outcomes were retried until they converged): no
//   debit exists that no verdict acknowledged;
// - per tenant: balance == Σ ledger, and no debit left the balance below its floor.
// At most `max_reports` failures are reported in detail (a broken invariant tends to break often).
inline AuditTotals auditLedger(pqxx::connection& connection, const std::vector<Ack>& acks,
                               bool every_debit_acknowledged, int max_reports = 20) {
  AuditTotals totals;
  int reports = 0;
  auto report = [&]() { return ++reports <= max_reports; };

  pqxx::nontransaction txn(connection);
  std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>> debits;
  for (const auto& row : txn.exec("SELECT tenant_id, batch_id, amount_micros FROM "
                                  "creditgate.ledger_entry WHERE kind = 'debit'")) {
    debits[{row[0].as<std::string>(), row[1].as<std::string>()}].push_back(
        row[2].as<std::int64_t>());
    ++totals.debits;
  }

  std::map<std::pair<std::string, std::string>, std::int64_t> first_time;  // key -> charged
  for (const Ack& ack : acks) {
    if (ack.replayed) continue;
    const auto key = std::make_pair(ack.tenant_id, ack.batch_id);
    if (!first_time.emplace(key, ack.charged_micros).second && report()) {
      ADD_FAILURE() << ack.tenant_id << "/" << ack.batch_id
                    << " was acknowledged as a first-time debit twice";
    }
  }
  std::set<std::pair<std::string, std::string>> acknowledged;
  for (const Ack& ack : acks) {
    const auto key = std::make_pair(ack.tenant_id, ack.batch_id);
    if (ack.replayed) {
      const auto original = first_time.find(key);
      if (original != first_time.end() && original->second != ack.charged_micros && report()) {
        ADD_FAILURE() << ack.tenant_id << "/" << ack.batch_id << " replayed charging "
                      << ack.charged_micros << ", the original charged " << original->second;
      }
    }
    const auto found = debits.find(key);
    if (found == debits.end()) {
      if (report()) {
        ADD_FAILURE() << "acknowledged " << ack.tenant_id << "/" << ack.batch_id << " (charged "
                      << ack.charged_micros << (ack.replayed ? ", replayed" : "")
                      << ") has no debit in the ledger";
      }
      continue;
    }
    if (found->second.front() != -ack.charged_micros && report()) {
      ADD_FAILURE() << ack.tenant_id << "/" << ack.batch_id << " acknowledged charging "
                    << ack.charged_micros << " but the ledger debited " << -found->second.front();
    }
    if (acknowledged.insert(key).second) {
      totals.charged_per_tenant[ack.tenant_id] += ack.charged_micros;
    }
  }
  totals.acknowledged_batches = acknowledged.size();

  for (const auto& [key, amounts] : debits) {
    if (amounts.size() != 1 && report()) {
      ADD_FAILURE() << key.first << "/" << key.second << " has " << amounts.size() << " debits";
    }
    if (every_debit_acknowledged && !acknowledged.count(key) && report()) {
      ADD_FAILURE() << "a debit of " << -amounts.front() << " for " << key.first << "/"
                    << key.second << " that no verdict acknowledged, even after retries";
    }
  }

  for (const auto& row : txn.exec(
           "SELECT t.tenant_id, t.balance_micros, (SELECT coalesce(sum(e.amount_micros), 0)::bigint "
           "FROM creditgate.ledger_entry e WHERE e.tenant_id = t.tenant_id) FROM creditgate.tenant t "
           "ORDER BY 1")) {
    EXPECT_EQ(row[2].as<std::int64_t>(), row[1].as<std::int64_t>())
        << row[0].as<std::string>() << ": Σ ledger != balance";
  }
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'debit' AND "
                      "balance_after_micros < floor_micros")[0]
                .as<int>(),
            0)
      << "a debit went below its floor";
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM creditgate.batch")[0].as<std::size_t>(), totals.debits)
      << "every allowed batch has exactly one debit (these tests send no free batches)";
  EXPECT_LE(reports, max_reports) << (reports - max_reports) << " more failures not shown";
  return totals;
}

}  // namespace creditgate::testing
