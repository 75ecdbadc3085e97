// One decision rule (sql/015_one_decision_rule.sql): decide_flush decides a whole flush at once,
// and when it cannot take a flush whole, decide_requests gives it each batch alone. Both ways must
// be indistinguishable. Here both run on the same random flushes from the same state (a savepoint
// apart) and everything a user or an auditor could look at is compared: every verdict, the ledger,
// the batches, the refusals, the notifications, the alert and pacing state, and the balances.
// The seed is printed; one fixed seed always runs, and one random seed per run widens the search
// (CREDITGATE_FLUSH_SEED=<n> replays a printed one).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "test_database.hpp"

namespace creditgate::testing {
namespace {

struct Tenant {
  const char* id;
  const char* currency;
};
constexpr Tenant kTenants[] = {{"acme", "EUR"}, {"bistro", "EUR"}, {"cafe", "USD"}};

class FlushBuilder {
 public:
  explicit FlushBuilder(std::uint32_t seed) : random_(seed) {}

  // One JSON element as the plugin sends it (decisionRequestJson), with random content drawn so
  // that a flush meets every case: replays and conflicts (a small pool of batch ids and recipients),
  // free and costly batches, each policy, a wrong currency, an unknown tenant, low-balance levels.
  std::string batch(std::vector<std::string>& used_ids) {
    const int who = pick(0, 19);
    const bool ghost = who == 0;
    const Tenant& tenant = kTenants[who % 3];
    std::string batch_id;
    do {
      batch_id = "b" + std::to_string(pick(0, 29));
    } while (contains(used_ids, std::string(ghost ? "ghost" : tenant.id) + "/" + batch_id));
    used_ids.push_back(std::string(ghost ? "ghost" : tenant.id) + "/" + batch_id);

    std::string recipients, prices;
    const int count = pick(1, 3);
    const int first = pick(0, 2);
    for (int i = 0; i < count; ++i) {
      recipients += (i ? "," : "") + std::string("\"+49151000000") + std::to_string(first + i) + "\"";
      const std::int64_t price = pick(0, 9) == 0 ? 0 : pick(1, 40) * 5'000;
      prices += (i ? "," : "") + std::to_string(price);
    }
    // "outage": a journaled batch replayed after an outage (recorded flagged, ledger_unavailable).
    const char* policies[] = {"block", "flag", "partial", "outage"};
    const char* currency = pick(0, 24) == 0 ? "GBP" : tenant.currency;
    auto optional_micros = [&](int low, int high) {
      return pick(0, 1) == 0 ? std::string("null") : std::to_string(pick(low, high) * 10'000);
    };
    // Attempt ids from a small pool, so that a replay is sometimes the same call's retry (not a
    // replay for it) and sometimes another call's; null as from callers without ids.
    const std::string attempt = pick(0, 4) == 0 ? std::string("null") : std::to_string(pick(1, 4));
    return std::string("{\"tenant_id\":\"") + (ghost ? "ghost" : tenant.id) + "\",\"batch_id\":\"" +
           batch_id + "\",\"campaign_id\":\"c" + std::to_string(pick(0, 1)) +
           "\",\"template_name\":\"t\",\"category\":\"marketing\"," + "\"recipients\":[" +
           recipients + "],\"unit_prices_micros\":[" + prices + "],\"currency\":\"" + currency +
           "\",\"policy\":\"" + policies[pick(0, 3)] +
           "\",\"overdraft_limit_micros\":" + std::to_string(pick(0, 3) * 50'000) +
           ",\"rate_card_id\":1,\"warning_micros\":" + optional_micros(20, 60) +
           ",\"critical_micros\":" + optional_micros(1, 20) + ",\"notify_interval_ms\":0" +
           ",\"attempt\":" + attempt +
           (pick(0, 2) == 0 ? ",\"decided_at\":\"2026-07-01T10:00:00.25Z\"" : "") + "}";
  }

  std::string flush() {
    std::vector<std::string> used_ids;  // the plugin never puts one batch id twice in a flush
    std::string json = "[";
    const int size = pick(1, 12);
    for (int i = 0; i < size; ++i) json += (i ? "," : "") + batch(used_ids);
    return json + "]";
  }

  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

 private:
  static bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v) {
      if (x == s) return true;
    }
    return false;
  }
  std::mt19937 random_;
};

// Everything the flush may have changed, as text, in an order both ways share: per table in id
// order (ids themselves differ: a rolled-back savepoint does not give back identity values), and
// notifications per tenant (a whole flush goes tenant by tenant).
std::string observable(pqxx::work& txn, std::int64_t entry_mark, std::int64_t refusal_mark,
                       std::int64_t event_mark) {
  std::string out;
  auto add = [&](const std::string& title, const std::string& sql) {
    out += "-- " + title + "\n";
    for (const auto& row : txn.exec(sql)) {
      for (const auto& field : row) out += (field.is_null() ? "NULL" : field.c_str()) + std::string("|");
      out += "\n";
    }
  };
  const std::string e = std::to_string(entry_mark), r = std::to_string(refusal_mark),
                    v = std::to_string(event_mark);
  add("ledger",
      "SELECT tenant_id, kind, amount_micros, balance_after_micros, floor_micros, "
      "batch_id, batch_generation, created_at FROM creditgate.ledger_entry "
      "WHERE entry_id > " +
          e + " ORDER BY entry_id");
  add("batches", "SELECT * FROM creditgate.batch ORDER BY tenant_id, batch_id");
  add("refusals", "SELECT tenant_id, batch_id, campaign_id, template_name, category, "
                  "recipient_count, reason, policy, price_micros, balance_micros, "
                  "shortfall_micros, refused_at FROM creditgate.batch_refusal "
                  "WHERE refusal_id > " + r + " ORDER BY refusal_id");
  add("events", "SELECT tenant_id, type, payload, created_at FROM creditgate.outbox_event "
                "WHERE event_id > " + v + " ORDER BY tenant_id, event_id");
  add("alerts", "SELECT * FROM creditgate.balance_alert ORDER BY tenant_id, level");
  add("pace", "SELECT * FROM creditgate.notification_pace ORDER BY tenant_id, kind");
  add("balances", "SELECT tenant_id, balance_micros FROM creditgate.tenant ORDER BY tenant_id");
  return out;
}

std::string verdicts(const pqxx::result& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (const auto& field : row) out += (field.is_null() ? "NULL" : field.c_str()) + std::string("|");
    out += "\n";
  }
  return out;
}

std::int64_t maxId(pqxx::work& txn, const std::string& column, const std::string& table) {
  return txn.exec1("SELECT coalesce(max(" + column + "), 0) FROM creditgate." + table)[0]
      .as<std::int64_t>();
}

// The whole flush, decided at once by the core.
pqxx::result decideWhole(pqxx::work& txn, const std::string& flush) {
  return txn.exec_params(
      "SELECT * FROM unnest(creditgate.decide_flush(creditgate.decision_requests($1), ARRAY("
      "SELECT tenant_id FROM creditgate.tenant ORDER BY tenant_id FOR UPDATE))) ORDER BY ordinal",
      flush);
}

// The same flush as the fallback decides it: each batch alone through the same core, in order.
std::string decideOneAtATime(pqxx::work& txn, const std::string& flush, int size) {
  std::string out;
  for (int ordinal = 1; ordinal <= size; ++ordinal) {
    const pqxx::result one = txn.exec_params(
        "SELECT $2::integer AS ordinal, decision, reason, charged_micros, balance_after_micros, "
        "recipients_allowed, replayed, currency, price_micros, error, fallback "
        "FROM unnest(creditgate.decide_flush(ARRAY[(creditgate.decision_requests($1))[$2]], "
        "ARRAY(SELECT tenant_id FROM creditgate.tenant ORDER BY tenant_id FOR UPDATE)))",
        flush, ordinal);
    out += verdicts(one);
  }
  return out;
}

// The cases the random flushes must meet, so that comparing both ways means something: every reason
// the core decides itself or hands to judge(), every notification, a debit into the overdraft, and
// replays of both kinds of attempt: another call's (a replay) and the same call's (not one).
constexpr const char* kReasons[] = {"ok",
                                    "overdraft",
                                    "partial_credit",
                                    "insufficient_credit",
                                    "overdraft_limit_exceeded",
                                    "batch_conflict",
                                    "currency_mismatch",
                                    "unknown_tenant",
                                    "ledger_unavailable"};
constexpr const char* kNotifications[] = {"insufficient_credit", "low_balance", "depleted",
                                          "recovered"};

// What of the above has not come up yet, as one line ("" once everything has).
std::string casesNotMet(pqxx::connection& connection, const std::set<std::string>& reasons) {
  std::string missing;
  for (const char* reason : kReasons) {
    if (reasons.count(reason) == 0) missing += std::string(" reason ") + reason;
  }
  pqxx::nontransaction check(connection);
  for (const char* type : kNotifications) {
    if (check.exec_params1("SELECT count(*) FROM creditgate.outbox_event WHERE type = $1", type)[0]
            .as<int>() == 0) {
      missing += std::string(" notification ") + type;
    }
  }
  if (check
          .exec1("SELECT count(*) FROM creditgate.ledger_entry WHERE kind = 'debit' AND "
                 "balance_after_micros < 0")[0]
          .as<int>() == 0) {
    missing += " a-debit-into-the-overdraft";
  }
  if (check
          .exec1(
              "SELECT count(*) FROM creditgate.batch WHERE cardinality(answered_attempts) > 1")[0]
          .as<int>() == 0) {
    missing += " a-replay-of-another-attempt";
  }
  return missing;
}

void compareBothWaysOnRandomFlushes(std::uint32_t seed) {
  std::cout << "[ seed     ] " << seed << " (CREDITGATE_FLUSH_SEED=" << seed << " replays it)"
            << std::endl;
  SCOPED_TRACE("seed " + std::to_string(seed));
  TestDatabase db;
  for (const auto& tenant : kTenants) db.addTenant(tenant.id, tenant.currency, 600'000);

  FlushBuilder builder(seed);
  int batches = 0;
  std::set<std::string> reasons;
  // 500 rounds, and more while a case has not come up (a rare seed meets no partial_credit in 500:
  // about 1 in 300), up to 2000: the comparison must have met every case, whatever the seed.
  constexpr int kRounds = 500, kMostRounds = 2000;
  int round = 0;
  for (; round < kMostRounds; ++round) {
    if (round >= kRounds && casesNotMet(db.connection(), reasons).empty()) break;
    const std::string flush = builder.flush();
    SCOPED_TRACE("round " + std::to_string(round) + ": " + flush);
    pqxx::work txn(db.connection());
    if (builder.pick(0, 9) == 0) {  // credit now and then: levels re-arm, refused ids come back
      // Out of any debt first: replayed outage decisions debit whatever the balance, so without it
      // a seed can sink every tenant for good and never again meet a balance that covers part of
      // a batch (partial_credit).
      const char* tenant = kTenants[round % 3].id;
      const auto balance =
          txn.exec_params1("SELECT balance_micros FROM creditgate.tenant WHERE tenant_id = $1",
                           tenant)[0]
              .as<std::int64_t>();
      txn.exec_params("SELECT creditgate.topup($1, $2, $3, NULL)", tenant,
                      std::max<std::int64_t>(0, -balance) + builder.pick(1, 40) * 10'000,
                      "round-" + std::to_string(round));
    }
    const auto entries = maxId(txn, "entry_id", "ledger_entry");
    const auto refusals = maxId(txn, "refusal_id", "batch_refusal");
    const auto events = maxId(txn, "event_id", "outbox_event");
    txn.exec("SAVEPOINT before_flush");
    const pqxx::result whole = decideWhole(txn, flush);
    const std::string whole_rows = observable(txn, entries, refusals, events);
    txn.exec("ROLLBACK TO SAVEPOINT before_flush");
    const std::string alone = decideOneAtATime(txn, flush, static_cast<int>(whole.size()));
    const std::string alone_rows = observable(txn, entries, refusals, events);
    txn.commit();  // the next round starts from here

    ASSERT_FALSE(whole.empty()) << "the core declined a flush of valid batches";
    ASSERT_EQ(verdicts(whole), alone);
    ASSERT_EQ(whole_rows, alone_rows);
    batches += static_cast<int>(whole.size());
    for (const auto& row : whole) {
      reasons.insert(row["reason"].c_str());
      ASSERT_TRUE(row["error"].is_null()) << row["error"].c_str();
    }
  }
  std::cout << "[ rounds   ] " << round << " flushes, " << batches << " batches compared"
            << std::endl;
  // The random flushes did meet every case.
  EXPECT_EQ(casesNotMet(db.connection(), reasons), "")
      << "not met in " << round << " flushes (" << batches << " batches)";
}

TEST(FlushPathsTest, WholeAndOneAtATimeLeaveTheSameVerdictsRowsAndNotificationsFixedSeed) {
  compareBothWaysOnRandomFlushes(20261129);
}

TEST(FlushPathsTest, WholeAndOneAtATimeLeaveTheSameVerdictsRowsAndNotificationsRandomSeed) {
  const char* replay = std::getenv("CREDITGATE_FLUSH_SEED");
  compareBothWaysOnRandomFlushes(replay ? static_cast<std::uint32_t>(std::stoul(replay))
                                        : std::random_device{}());
}

// The SQLSTATE the core raises for a flush it cannot take whole (decide_requests then gives it
// each batch alone).
std::string wholeDeclines(pqxx::connection& connection, const std::string& flush) {
  pqxx::work txn(connection);
  try {
    txn.exec_params(
        "SELECT creditgate.decide_flush(creditgate.decision_requests($1), ARRAY['acme'])", flush);
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  }
  return "accepted";
}

TEST(FlushPathsTest, AFlushTheCoreCannotTakeWholeGoesOneAtATimeSaysWhyAndOnlyTheBadBatchFails) {
  TestDatabase db;
  db.addTenant("acme", "EUR", 150'000);
  const std::string good = R"({"tenant_id":"acme","batch_id":"b1","campaign_id":"c",)"
                           R"("template_name":"t","category":"marketing","recipients":["+491"],)"
                           R"("unit_prices_micros":[100000],"currency":"EUR","policy":"block",)"
                           R"("overdraft_limit_micros":0,"rate_card_id":1,"warning_micros":null,)"
                           R"("critical_micros":null,"notify_interval_ms":0})";
  std::string bad = good;  // two recipients, one price
  bad.replace(bad.find("\"b1\""), 4, "\"b2\"");
  bad.replace(bad.find("[\"+491\"]"), 8, "[\"+491\",\"+492\"]");
  std::string costly = good;  // more than the balance: refused, and the contact is told
  costly.replace(costly.find("\"b1\""), 4, "\"b0\"");
  costly.replace(costly.find("[100000]"), 8, "[900000]");

  // The core declines a whole flush for one bad batch, and for one batch id twice (the second is
  // a retry of the first).
  EXPECT_EQ(wholeDeclines(db.connection(), "[" + good + "," + bad + "]"), "22023");
  EXPECT_EQ(wholeDeclines(db.connection(), "[" + good + "," + good + "]"), "CG001");

  // The refused batch comes before the bad one: the whole flush queued its notification before
  // declining, and that must not be sent twice once the flush goes one at a time.
  pqxx::work txn(db.connection());
  const pqxx::result rows = txn.exec_params(
      "SELECT decision, reason, replayed, error, fallback FROM creditgate.decide_batches($1) "
      "ORDER BY ordinal",
      "[" + costly + "," + good + "," + bad + "," + good + "]");
  const int told = txn.exec1("SELECT count(*) FROM creditgate.outbox_event "
                             "WHERE type = 'insufficient_credit'")[0].as<int>();
  txn.commit();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["reason"].as<std::string>(), "insufficient_credit");
  EXPECT_EQ(rows[1]["decision"].as<std::string>(), "allow");
  EXPECT_FALSE(rows[1]["replayed"].as<bool>());
  EXPECT_FALSE(rows[2]["error"].is_null());
  EXPECT_EQ(rows[3]["decision"].as<std::string>(), "allow");
  EXPECT_TRUE(rows[3]["replayed"].as<bool>());
  EXPECT_EQ(told, 1);
  // Every result says the flush fell back, and why (the first thing the core met: the id that comes
  // twice): the plugin counts and logs it.
  for (const auto& row : rows) {
    ASSERT_FALSE(row["fallback"].is_null());
    EXPECT_EQ(row["fallback"].as<std::string>(),
              "CG001: batch 2: its batch id comes twice in one flush")
        << row["fallback"].as<std::string>();
  }
  EXPECT_EQ(db.balance("acme"), 50'000);
  EXPECT_EQ(db.ledgerSum("acme"), 50'000);
}

TEST(FlushPathsTest, TenantsAreNeverDeletedNorRenamed) {
  TestDatabase db;
  db.addTenant("acme", "EUR", 1'000'000);
  {
    pqxx::nontransaction txn(db.connection());
    EXPECT_THROW(txn.exec("DELETE FROM creditgate.tenant WHERE tenant_id = 'acme'"),
                 pqxx::sql_error);
    EXPECT_THROW(txn.exec("TRUNCATE creditgate.tenant CASCADE"), pqxx::sql_error);
    EXPECT_THROW(txn.exec("UPDATE creditgate.tenant SET tenant_id = 'acme2'"), pqxx::sql_error);
  }
  EXPECT_EQ(db.balance("acme"), 1'000'000);
}

}  // namespace
}  // namespace creditgate::testing
