// The portal's pages (sql/021), as the portal's login calls them: a tenant's pages (header,
// batches, spend by market and category, notifications) only through a session that may see that
// tenant, answering another tenant exactly like one that does not exist (no row); the admin's pages
// (every tenant, top-up, new tenant, contacts) only through an open admin session, refused (42501)
// for anyone else without a word about any tenant.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "creditctl_fixture.hpp"
#include "password.hpp"

namespace creditgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Failure {
  std::string sqlstate, message;  // both empty when the call succeeded
};

struct SpendRow {
  std::string market, category;
  std::int64_t recipients, spent_micros;
  bool operator==(const SpendRow& o) const {
    return std::tie(market, category, recipients, spent_micros) ==
           std::tie(o.market, o.category, o.recipients, o.spent_micros);
  }
};
std::ostream& operator<<(std::ostream& out, const SpendRow& r) {
  return out << "{" << r.market << ", " << r.category << ", " << r.recipients << ", "
             << r.spent_micros << "}";
}

// A Postgres array literal of plain values (test literals: no quotes or backslashes in them).
template <typename T>
std::string arrayLiteral(const std::vector<T>& values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    if constexpr (std::is_same_v<T, std::string>) {
      out += '"' + value + '"';
    } else {
      out += std::to_string(value);
    }
  }
  return out + "}";
}

class PortalPagesTest : public CreditctlFixture {
 protected:
  void SetUp() override {
    CreditctlFixture::SetUp();  // tenant acme, EUR
    db_.addTenant("bistro", "JPY", 0);
    db_.seedRates();  // markets and prefixes valid from 2025-07-01
    db_.topup("acme", 100'000'000, "INV-acme");
    db_.topup("bistro", 50'000'000, "INV-bistro");
    static const std::string hash = server::hashPassword("x");  // one Argon2id hash for all
    pqxx::nontransaction txn(db_.connection());
    for (const auto& [email, role] : {std::pair{"ops@acme.example", "tenant:acme"},
                                      std::pair{"chef@bistro.example", "tenant:bistro"},
                                      std::pair{"boss@example.com", "admin"}}) {
      txn.exec_params("SELECT creditgate.add_portal_user($1, $2, $3)", email, role, hash);
    }
  }

  // A new session of this user; its token digest as hex.
  std::string login(const std::string& email) {
    static int n = 0;
    char token[65];
    std::snprintf(token, sizeof token, "%064x", 5000 + ++n);
    pqxx::nontransaction txn(portal_);
    txn.exec_params("SELECT creditgate.portal_session_start($1, decode($2, 'hex'), 600, 3600)",
                    email, token);
    return token;
  }
  void logout(const std::string& token) {
    pqxx::nontransaction txn(portal_);
    txn.exec_params("SELECT creditgate.portal_session_end(decode($1, 'hex'))", token);
  }

  // A decision as the plugin asks for one (in its tenant's currency, no overdraft, no pacing), in
  // `txn`, so that a test can decide several at one timestamp. Returns the decision.
  static std::string decideIn(pqxx::transaction_base& txn, const std::string& tenant,
                              const std::string& batch, const std::string& category,
                              const std::vector<std::string>& recipients,
                              const std::vector<std::int64_t>& prices,
                              const std::string& policy = "block",
                              std::optional<std::int64_t> attempt = {},
                              const char* decided_at = nullptr) {
    return txn
        .exec_params1(
            "SELECT decision FROM creditgate.decide_batch($1, $2, 'spring', 'offer', $3, "
            "$4::text[], $5::bigint[], (SELECT currency FROM creditgate.tenant WHERE tenant_id = "
            "$1), $6, 0, NULL, NULL, NULL, 0, $7, $8::timestamptz)",
            tenant, batch, category, arrayLiteral(recipients), arrayLiteral(prices), policy,
            attempt, decided_at)[0]
        .as<std::string>();
  }
  std::string decide(const std::string& tenant, const std::string& batch,
                     const std::string& category, const std::vector<std::string>& recipients,
                     const std::vector<std::int64_t>& prices, const std::string& policy = "block",
                     std::optional<std::int64_t> attempt = {}, const char* decided_at = nullptr) {
    pqxx::nontransaction txn(db_.connection());
    return decideIn(txn, tenant, batch, category, recipients, prices, policy, attempt, decided_at);
  }
  void settle(const std::string& tenant, const std::string& batch,
              const std::vector<std::string>& recipients, const std::string& delivered) {
    pqxx::nontransaction txn(db_.connection());
    txn.exec_params("SELECT creditgate.settle_outcomes($1, $2, $3::text[], $4::boolean[])", tenant,
                    batch, arrayLiteral(recipients), delivered);
  }
  // As the plugin does when every answer of a decision was lost (sql/014).
  void voidAfterDoubt(const std::string& tenant, const std::string& batch, std::int64_t attempt) {
    pqxx::nontransaction txn(db_.connection());
    txn.exec_params("SELECT creditgate.note_doubt($1, $2, $3)", tenant, batch, attempt);
    txn.exec("SELECT count(*) FROM creditgate.void_doubtful_batches(0, 100)");
  }

  // Rows `sql` returns to the portal's login; $1 is the token (hex), $2 the tenant.
  std::size_t rows(const std::string& sql, const std::string& token, const std::string& tenant) {
    pqxx::nontransaction txn(portal_);
    return txn.exec_params(sql, token, tenant).size();
  }

  template <typename... Args>
  Failure failure(const std::string& sql, const Args&... args) {
    pqxx::nontransaction txn(portal_);
    try {
      txn.exec_params(sql, args...);
      return {};
    } catch (const pqxx::insufficient_privilege& e) {
      return {"42501", e.what()};  // libpqxx 6.4 leaves sqlstate() empty on this subclass
    } catch (const pqxx::sql_error& e) {
      return {e.sqlstate(), e.what()};
    }
  }

  std::string today() {
    pqxx::nontransaction txn(db_.connection());
    return txn.exec1("SELECT (now() AT TIME ZONE 'UTC')::date::text")[0].as<std::string>();
  }

  std::vector<SpendRow> spend(const std::string& token, const std::string& tenant,
                              const std::string& from, const std::string& to) {
    pqxx::nontransaction txn(portal_);
    std::vector<SpendRow> out;
    for (const auto& row :
         txn.exec_params("SELECT market, category, recipients, spent_micros FROM "
                         "creditgate.portal_spend(decode($1, 'hex'), $2, $3::date, $4::date)",
                         token, tenant, from, to)) {
      out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>(),
                     row[3].as<std::int64_t>()});
    }
    return out;
  }

  // -(debits, refunds and voids) of the tenant's batches decided in [from, to] (UTC days): what
  // the ledger says those batches cost.
  std::int64_t ledgerNetSpend(const std::string& tenant, const std::string& from,
                              const std::string& to) {
    pqxx::nontransaction txn(db_.connection());
    return txn
        .exec_params1(
            "SELECT coalesce(-sum(l.amount_micros), 0)::bigint FROM creditgate.ledger_entry l "
            "WHERE l.tenant_id = $1 AND l.kind IN ('debit', 'refund', 'void') AND l.batch_id IN "
            "(SELECT b.batch_id FROM creditgate.batch b WHERE b.tenant_id = $1 "
            " AND b.decided_at >= $2::date::timestamp AT TIME ZONE 'UTC' "
            " AND b.decided_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC')",
            tenant, from, to)[0]
        .as<std::int64_t>();
  }

  struct Page {
    std::vector<std::pair<std::string, std::string>> rows;  // (at as text, key)
  };
  Page batches(const std::string& token, const std::string& tenant, int limit,
               const std::optional<std::pair<std::string, std::string>>& before = {},
               const char* from = nullptr, const char* to = nullptr) {
    pqxx::nontransaction txn(portal_);
    const pqxx::result r = txn.exec_params(
        "SELECT at::text, key FROM creditgate.portal_batches(decode($1, 'hex'), $2, $3::date, "
        "$4::date, $5::timestamptz, $6, $7)",
        token, tenant, from, to, before ? before->first.c_str() : static_cast<const char*>(nullptr),
        before ? before->second.c_str() : static_cast<const char*>(nullptr), limit);
    Page page;
    for (const auto& row : r) page.rows.emplace_back(row[0].c_str(), row[1].c_str());
    return page;
  }

  std::vector<std::int64_t> notifications(const std::string& token, const std::string& tenant,
                                          std::optional<std::int64_t> before, int limit) {
    pqxx::nontransaction txn(portal_);
    std::vector<std::int64_t> ids;
    for (const auto& row : txn.exec_params(
             "SELECT event_id FROM creditgate.portal_notifications(decode($1, 'hex'), $2, $3, $4)",
             token, tenant, before, limit)) {
      ids.push_back(row[0].as<std::int64_t>());
    }
    return ids;
  }

  void addEvents(const std::string& tenant, int n) {
    pqxx::nontransaction txn(db_.connection());
    txn.exec_params(
        "INSERT INTO creditgate.outbox_event (tenant_id, type, payload) "
        "SELECT $1, 'low_balance', jsonb_build_object('n', g) FROM generate_series(1, $2) g",
        tenant, n);
  }

  pqxx::connection portal_{db_.portalDsn()};
};

const std::string kInfo = "SELECT * FROM creditgate.portal_tenant_info(decode($1, 'hex'), $2)";
const std::string kBatches =
    "SELECT * FROM creditgate.portal_batches(decode($1, 'hex'), $2, NULL, NULL, NULL, NULL, 100)";
const std::string kSpend =
    "SELECT * FROM creditgate.portal_spend(decode($1, 'hex'), $2, "
    "(now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date)";
const std::string kNotifications =
    "SELECT * FROM creditgate.portal_notifications(decode($1, 'hex'), $2, NULL, 100)";

// Every tenant read: its own tenant's rows for a tenant user, none for another tenant or one that
// does not exist (the same answer), any tenant for an admin, nothing once the session ended.
TEST_F(PortalPagesTest, EveryTenantReadShowsOnlyWhatTheSessionMaySee) {
  decide("acme", "a-1", "marketing", {"+4915110000001"}, {136'500});
  decide("bistro", "b-1", "utility", {"+4915110000002"}, {7'000});
  addEvents("acme", 2);
  addEvents("bistro", 2);
  const std::string ops = login("ops@acme.example");
  const std::string chef = login("chef@bistro.example");
  const std::string boss = login("boss@example.com");
  for (const std::string& sql : {kInfo, kBatches, kSpend, kNotifications}) {
    EXPECT_GE(rows(sql, ops, "acme"), 1u) << sql;
    EXPECT_EQ(rows(sql, ops, "bistro"), 0u) << sql;
    EXPECT_EQ(rows(sql, ops, "nosuch"), 0u) << sql;
    EXPECT_GE(rows(sql, chef, "bistro"), 1u) << sql;
    EXPECT_EQ(rows(sql, chef, "acme"), 0u) << sql;
    EXPECT_GE(rows(sql, boss, "acme"), 1u) << sql;
    EXPECT_GE(rows(sql, boss, "bistro"), 1u) << sql;
    EXPECT_EQ(rows(sql, boss, "nosuch"), 0u) << sql;
    EXPECT_EQ(rows(sql, std::string(64, '0'), "acme"), 0u) << sql;  // never issued
  }
  logout(ops);
  logout(boss);
  ASSERT_EQ(admin({"user", "disable", "chef@bistro.example"}).exit_code, 0);
  for (const std::string& sql : {kInfo, kBatches, kSpend, kNotifications}) {
    EXPECT_EQ(rows(sql, ops, "acme"), 0u) << sql;
    EXPECT_EQ(rows(sql, boss, "acme"), 0u) << sql;
    EXPECT_EQ(rows(sql, chef, "bistro"), 0u) << sql;  // its user was disabled
  }
}

TEST_F(PortalPagesTest, TheTenantHeaderHasTheCurrencyItsDecimalsAndTheContacts) {
  db_.exec("INSERT INTO creditgate.tenant (tenant_id, currency) VALUES ('legacy', 'XTS')");
  const std::string boss = login("boss@example.com");
  pqxx::nontransaction txn(portal_);
  const auto info = [&](const std::string& tenant) {
    return txn.exec_params1(
        "SELECT currency, minor_units, contacts::text, created_at IS NOT NULL "
        "FROM creditgate.portal_tenant_info(decode($1, 'hex'), $2)",
        boss, tenant);
  };
  const pqxx::row acme = info("acme");
  EXPECT_EQ(acme[0].as<std::string>(), "EUR");
  EXPECT_EQ(acme[1].as<int>(), 2);
  EXPECT_EQ(acme[2].as<std::string>(), "{billing@acme.example}");
  EXPECT_TRUE(acme[3].as<bool>());
  EXPECT_EQ(info("bistro")[1].as<int>(), 0);  // yen: no minor unit
  EXPECT_EQ(info("legacy")[1].as<int>(), 2);  // a code not in the table: 2
}

// Allowed, partial, refused and voided batches in one list, each with the numbers its row says.
TEST_F(PortalPagesTest, BatchesListAllowedRefusedPartialAndVoidedDecisions) {
  decide("acme", "full", "marketing", {"+4915110000001", "+12125550001"}, {136'500, 61'800});
  decide("acme", "refused", "marketing", {"+4915110000002"}, {500'000'000});
  decide("acme", "lost", "utility", {"+4915110000003"}, {28'900}, "block", 7);
  voidAfterDoubt("acme", "lost", 7);
  // Partial: the first recipient fits in what is left, the second (500k more) does not.
  const std::int64_t left = db_.balance("acme");
  ASSERT_EQ(
      decide("acme", "part", "utility", {"+4915110000004", "+4915110000005", "+4915110000006"},
             {left - 400'000, 500'000, 700'000}, "partial"),
      "allow_partial");

  const std::string ops = login("ops@acme.example");
  pqxx::nontransaction txn(portal_);
  const pqxx::result r = txn.exec_params(
      "SELECT key, batch_id, decision, recipients, recipients_allowed, charged_micros, "
      "price_micros::text, shortfall_micros::text, balance_after_micros, campaign_id, "
      "template_name, category, reason "
      "FROM creditgate.portal_batches(decode($1, 'hex'), 'acme', NULL, NULL, NULL, NULL, 10)",
      ops);
  ASSERT_EQ(r.size(), 4u);
  // Newest first: part, lost (voided), refused, full.
  EXPECT_EQ(r[0]["key"].as<std::string>(), "b:part");
  EXPECT_EQ(r[0]["decision"].as<std::string>(), "allow_partial");
  EXPECT_EQ(r[0]["recipients"].as<int>(), 3);
  EXPECT_EQ(r[0]["recipients_allowed"].as<int>(), 1);
  EXPECT_EQ(r[0]["charged_micros"].as<std::int64_t>(), left - 400'000);
  EXPECT_EQ(r[0]["price_micros"].as<std::string>(), std::to_string(left - 400'000 + 1'200'000));
  EXPECT_TRUE(r[0]["shortfall_micros"].is_null());
  EXPECT_EQ(r[0]["balance_after_micros"].as<std::int64_t>(), 400'000);

  EXPECT_EQ(r[1]["key"].as<std::string>(), "b:lost");
  EXPECT_EQ(r[1]["decision"].as<std::string>(), "void");
  EXPECT_EQ(r[1]["reason"].as<std::string>(), "ok");
  // Charged as decided: the ledger's void entry gave it back.
  EXPECT_EQ(r[1]["charged_micros"].as<std::int64_t>(), 28'900);

  EXPECT_THAT(r[2]["key"].as<std::string>(), ::testing::MatchesRegex("r:[0-9]{20}"));
  EXPECT_EQ(r[2]["batch_id"].as<std::string>(), "refused");
  EXPECT_EQ(r[2]["decision"].as<std::string>(), "block");
  EXPECT_EQ(r[2]["reason"].as<std::string>(), "insufficient_credit");
  EXPECT_EQ(r[2]["recipients"].as<int>(), 1);
  EXPECT_EQ(r[2]["recipients_allowed"].as<int>(), 0);
  EXPECT_EQ(r[2]["charged_micros"].as<std::int64_t>(), 0);
  EXPECT_EQ(r[2]["price_micros"].as<std::string>(), "500000000");
  EXPECT_EQ(r[2]["shortfall_micros"].as<std::string>(),
            std::to_string(500'000'000 - r[2]["balance_after_micros"].as<std::int64_t>()));

  EXPECT_EQ(r[3]["key"].as<std::string>(), "b:full");
  EXPECT_EQ(r[3]["decision"].as<std::string>(), "allow");
  EXPECT_EQ(r[3]["recipients_allowed"].as<int>(), 2);
  EXPECT_EQ(r[3]["charged_micros"].as<std::int64_t>(), 198'300);
  EXPECT_EQ(r[3]["price_micros"].as<std::string>(), "198300");
  EXPECT_EQ(r[3]["campaign_id"].as<std::string>(), "spring");
  EXPECT_EQ(r[3]["template_name"].as<std::string>(), "offer");
  EXPECT_EQ(r[3]["category"].as<std::string>(), "marketing");
}

// Keyset paging over batches and refusals decided at the same instant (one transaction, as a
// group-commit flush decides them) and at others: every row once, in (at, key) order, and a batch
// decided between two pages neither repeats nor hides one.
TEST_F(PortalPagesTest, BatchPagesNeitherRepeatNorSkipEvenAtEqualTimes) {
  {
    pqxx::work txn(db_.connection());
    for (int i = 0; i < 6; ++i) {
      decideIn(txn, "acme", "flush-" + std::to_string(i), "utility", {"+4915110000001"}, {1'000});
    }
    for (int i = 0; i < 4; ++i) {  // refused at the same now()
      decideIn(txn, "acme", "big-" + std::to_string(i), "utility", {"+4915110000001"},
               {1'000'000'000});
    }
    txn.commit();
  }
  for (int i = 0; i < 7; ++i) {
    decide("acme", "single-" + std::to_string(i), "marketing", {"+12125550001"}, {2'000});
  }
  decide("acme", "big-x", "utility", {"+4915110000001"}, {1'000'000'000});
  decide("acme", "old", "utility", {"+4915110000001"}, {3'000}, "block", {},
         "2025-08-01 10:00:00+00");
  const std::size_t total = 6 + 4 + 7 + 1 + 1;

  const std::string ops = login("ops@acme.example");
  const Page all = batches(ops, "acme", 1000);
  ASSERT_EQ(all.rows.size(), total);
  {
    pqxx::nontransaction check(db_.connection());
    for (std::size_t i = 1; i < all.rows.size(); ++i) {  // strictly descending by (at, key)
      EXPECT_TRUE(check
                      .exec_params1("SELECT ($1::timestamptz, $2::text COLLATE \"C\") > "
                                    "($3::timestamptz, $4::text COLLATE \"C\")",
                                    all.rows[i - 1].first, all.rows[i - 1].second,
                                    all.rows[i].first, all.rows[i].second)[0]
                      .as<bool>())
          << i;
    }
  }
  EXPECT_EQ(all.rows.back().second, "b:old");
  std::set<std::string> times;
  for (const auto& row : all.rows) times.insert(row.first);
  EXPECT_LE(times.size(), total - 9);  // the flush's 10 decisions share one time

  std::vector<std::pair<std::string, std::string>> paged;
  std::optional<std::pair<std::string, std::string>> before;
  bool wrote_meanwhile = false;
  for (int pages = 0; pages < 50; ++pages) {
    const Page page = batches(ops, "acme", 4, before);
    if (page.rows.empty()) break;
    EXPECT_LE(page.rows.size(), 4u);
    paged.insert(paged.end(), page.rows.begin(), page.rows.end());
    before = page.rows.back();
    if (!wrote_meanwhile) {  // newer than every page: never on a later one
      decide("acme", "meanwhile", "utility", {"+4915110000001"}, {1'000});
      wrote_meanwhile = true;
    }
  }
  EXPECT_EQ(paged, all.rows);

  // Days are UTC and inclusive; a page limit outside 1..1000 is refused naming it.
  EXPECT_EQ(batches(ops, "acme", 10, {}, "2025-08-01", "2025-08-01").rows,
            (std::vector<std::pair<std::string, std::string>>{all.rows.back()}));
  EXPECT_TRUE(batches(ops, "acme", 10, {}, "2025-08-02", "2025-08-31").rows.empty());
  EXPECT_EQ(batches(ops, "acme", 1000, {}, today().c_str(), nullptr).rows.size(),
            total + 1 - 1);  // "meanwhile" came, "old" is of another day
  for (const int limit : {0, 1001}) {
    const Failure f = failure(
        "SELECT * FROM creditgate.portal_batches(decode($1, 'hex'), 'acme', NULL, NULL, NULL, "
        "NULL, $2)",
        ops, limit);
    EXPECT_EQ(f.sqlstate, "22023");
    EXPECT_THAT(f.message, HasSubstr(std::to_string(limit)));
  }
}

// The spend page's total is what the ledger says those batches cost: refunds and voids taken off,
// a partial batch counted for its charged recipients only; markets by the longest prefix.
TEST_F(PortalPagesTest, SpendByMarketAndCategoryAddsUpToTheLedger) {
  // Germany (49), North America (1), Rest of Latin America (1658, longer than 1), and +299, which
  // no prefix matches: Other.
  decide("acme", "m1", "marketing",
         {"+4915110000001", "+4915110000002", "+12125550001", "+16585550001", "+2991234567"},
         {136'500, 136'500, 61'800, 61'800, 61'800});
  decide("acme", "u1", "utility", {"+4915110000003", "+12125550002"}, {28'900, 28'900});
  decide("acme", "refused", "marketing", {"+4915110000009"}, {900'000'000});
  const std::int64_t left = db_.balance("acme");
  // Partial: the first two fit (left - 4M, then 4M), the third does not.
  ASSERT_EQ(decide("acme", "p1", "utility", {"+4915110000004", "+12125550003", "+4915110000005"},
                   {left - 4'000'000, 4'000'000, 3'000'000}, "partial"),
            "allow_partial");
  settle("acme", "m1", {"+4915110000002", "+12125550001", "+4915110000001"}, "{false,false,true}");
  settle("acme", "p1", {"+12125550003", "+4915110000005"}, "{false,false}");  // 2nd: never sent
  // Voided, and one voided then decided again (its voided generation cancels out).
  decide("acme", "lost", "marketing", {"+4915110000006"}, {136'500}, "block", 7);
  voidAfterDoubt("acme", "lost", 7);
  decide("acme", "again", "marketing", {"+4915110000007"}, {136'500}, "block", 8);
  voidAfterDoubt("acme", "again", 8);
  decide("acme", "again", "marketing", {"+4915110000007"}, {136'500});
  // Another day and another tenant: not in this period, not this tenant's.
  decide("acme", "old", "marketing", {"+4915110000008"}, {136'500}, "block", {},
         "2025-08-01 10:00:00+00");
  decide("bistro", "theirs", "marketing", {"+4915110000001"}, {9'000});

  const std::string ops = login("ops@acme.example");
  const std::string day = today();
  const std::vector<SpendRow> rows = spend(ops, "acme", day, day);
  const std::vector<SpendRow> expected = {
      {"Germany", "utility", 2, 28'900 + (left - 4'000'000)},
      {"Germany", "marketing", 2, 136'500 + 136'500},  // m1's delivered one and "again"
      {"Other", "marketing", 1, 61'800},
      {"Rest of Latin America", "marketing", 1, 61'800},
      {"North America", "utility", 1, 28'900},  // p1's was refunded
      {"North America", "marketing", 0, 0},     // refunded
  };
  EXPECT_EQ(rows, expected);
  std::int64_t total = 0;
  for (const SpendRow& row : rows) total += row.spent_micros;
  EXPECT_EQ(total, ledgerNetSpend("acme", day, day));
  EXPECT_GT(total, 0);

  EXPECT_EQ(spend(ops, "acme", "2025-08-01", "2025-08-01"),
            (std::vector<SpendRow>{{"Germany", "marketing", 1, 136'500}}));
  EXPECT_EQ(ledgerNetSpend("acme", "2025-08-01", "2025-08-01"), 136'500);
  EXPECT_TRUE(spend(ops, "acme", "2025-08-02", "2025-08-31").empty());

  // The period: both days, in order, at most 366 of them.
  const std::vector<std::pair<const char*, const char*>> bad_periods = {
      {nullptr, "2025-08-01"},
      {"2025-08-01", nullptr},
      {"2025-08-02", "2025-08-01"},
      {"2025-01-01", "2026-01-02"}};  // 367 days
  for (const auto& [from, to] : bad_periods) {
    const Failure f = failure(
        "SELECT * FROM creditgate.portal_spend(decode($1, 'hex'), 'acme', $2::date, $3::date)", ops,
        from, to);
    EXPECT_EQ(f.sqlstate, "22023") << (from ? from : "NULL") << " " << (to ? to : "NULL");
  }
  EXPECT_EQ(failure("SELECT * FROM creditgate.portal_spend(decode($1, 'hex'), 'acme', "
                    "'2024-01-01', '2024-12-31')",
                    ops)
                .sqlstate,
            "");  // 366 days
}

// Past days are kept once computed (sql/022); whatever the ledger writes about one of their batches
// afterwards (a refund, an undelivered recipient, a late debit from a replayed journal, a void)
// makes the page compute that day again: the kept answer always equals the ledger's.
TEST_F(PortalPagesTest, KeptPastDaysFollowEveryLaterChangeOfTheirBatches) {
  std::string day[6];
  {
    pqxx::nontransaction txn(db_.connection());
    for (int n = 0; n < 6; ++n) {
      day[n] =
          txn.exec_params1("SELECT ((now() AT TIME ZONE 'UTC')::date - $1::integer)::text", n)[0]
              .as<std::string>();
    }
  }
  const auto at = [&](int n) { return day[n] + " 10:00:00+00"; };
  decide("acme", "d5", "marketing", {"+4915110000001", "+12125550001"}, {136'500, 61'800}, "block",
         {}, at(5).c_str());
  decide("acme", "d2", "utility", {"+4915110000002"}, {28'900}, "block", 21, at(2).c_str());
  decide("acme", "d0", "marketing", {"+4915110000003"}, {136'500});
  const std::string ops = login("ops@acme.example");
  const auto total = [&] {
    std::int64_t sum = 0;
    for (const SpendRow& row : spend(ops, "acme", day[5], day[0])) sum += row.spent_micros;
    return sum;
  };
  const auto kept = [&] {
    return db_.queryInt(
        "SELECT count(*) FROM creditgate.portal_spend_day_done "
        "WHERE tenant_id = 'acme'");
  };
  EXPECT_EQ(total(), 136'500 + 61'800 + 28'900 + 136'500);
  EXPECT_EQ(total(), ledgerNetSpend("acme", day[5], day[0]));
  EXPECT_EQ(kept(), 5);  // the five past days; today is never kept

  const auto computedAt = [&](int n) {
    pqxx::nontransaction txn(db_.connection());
    return txn
        .exec_params1(
            "SELECT computed_at::text FROM creditgate.portal_spend_day_done "
            "WHERE tenant_id = 'acme' AND day = $1::date",
            day[n])[0]
        .as<std::string>();
  };
  const std::string day4 = computedAt(4), day5 = computedAt(5);

  // A refund of day 5's batch, written now: day 5 is computed again, day 4 is not.
  settle("acme", "d5", {"+12125550001"}, "{false}");
  EXPECT_EQ(total(), 136'500 + 28'900 + 136'500);
  EXPECT_EQ(computedAt(4), day4);
  EXPECT_NE(computedAt(5), day5);
  EXPECT_EQ(total(), ledgerNetSpend("acme", day[5], day[0]));
  const std::vector<SpendRow> rows = spend(ops, "acme", day[5], day[5]);
  EXPECT_EQ(rows, (std::vector<SpendRow>{{"Germany", "marketing", 1, 136'500},
                                         {"North America", "marketing", 0, 0}}));

  // A decision dated 3 days ago, written now (a journal replayed after an outage).
  decide("acme", "d3", "utility", {"+4915110000004"}, {28'900}, "block", {}, at(3).c_str());
  EXPECT_EQ(total(), 136'500 + 28'900 + 28'900 + 136'500);
  EXPECT_EQ(total(), ledgerNetSpend("acme", day[5], day[0]));

  // Day 2's batch voided (every answer of it was lost).
  voidAfterDoubt("acme", "d2", 21);
  EXPECT_EQ(total(), 136'500 + 28'900 + 136'500);
  EXPECT_EQ(total(), ledgerNetSpend("acme", day[5], day[0]));

  // The kept answer is the live one: the same as computing every day afresh.
  db_.exec("DELETE FROM creditgate.portal_spend_day_done");
  db_.exec("DELETE FROM creditgate.portal_spend_day");
  EXPECT_EQ(total(), 136'500 + 28'900 + 136'500);
}

TEST_F(PortalPagesTest, NotificationsPageNewestFirstByEventIdWithoutDeliveryErrors) {
  for (int i = 0; i < 4; ++i) {  // interleaved, so acme's ids are not consecutive
    addEvents("acme", 3);
    addEvents("bistro", 1);
  }
  db_.exec(
      "UPDATE creditgate.outbox_event SET last_error = 'smtp secret-host refused', "
      "attempts = 2, sent_at = now() WHERE tenant_id = 'acme'");
  const std::string ops = login("ops@acme.example");
  std::vector<std::int64_t> all = notifications(ops, "acme", {}, 1000);
  ASSERT_EQ(all.size(), 12u);
  std::vector<std::int64_t> paged;
  std::optional<std::int64_t> before;
  std::vector<std::size_t> sizes;
  for (;;) {
    const std::vector<std::int64_t> page = notifications(ops, "acme", before, 5);
    sizes.push_back(page.size());
    if (page.empty()) break;
    paged.insert(paged.end(), page.begin(), page.end());
    before = page.back();
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 5, 2, 0}));
  EXPECT_EQ(paged, all);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i - 1], all[i]);

  pqxx::result r;
  {
    pqxx::nontransaction txn(portal_);
    r = txn.exec_params(
        "SELECT * FROM creditgate.portal_notifications(decode($1, 'hex'), 'acme', NULL, 1)", ops);
  }
  ASSERT_EQ(r.size(), 1u);
  std::vector<std::string> columns;
  for (pqxx::row_size_type i = 0; i < r.columns(); ++i) columns.push_back(r.column_name(i));
  EXPECT_EQ(columns, (std::vector<std::string>{"event_id", "type", "created_at", "sent_at",
                                               "attempts", "payload"}));
  EXPECT_EQ(r[0]["type"].as<std::string>(), "low_balance");
  EXPECT_EQ(r[0]["payload"].as<std::string>(), "{\"n\": 3}");
  EXPECT_EQ(r[0]["attempts"].as<int>(), 2);
  for (const auto& field : r[0]) {
    EXPECT_THAT(field.is_null() ? "" : field.c_str(), Not(HasSubstr("secret-host")));
  }
  EXPECT_EQ(failure("SELECT * FROM creditgate.portal_notifications(decode($1, 'hex'), 'acme', "
                    "NULL, 0)",
                    ops)
                .sqlstate,
            "22023");
}

// The admin's functions, for a tenant user, an ended admin session, and a token never issued:
// refused (42501) with one message that names no tenant, and nothing changed.
TEST_F(PortalPagesTest, AdminFunctionsAreRefusedToEveryoneButAnOpenAdminSession) {
  const std::string ops = login("ops@acme.example");
  const std::string ended = login("boss@example.com");
  logout(ended);
  const std::int64_t entries = db_.count("ledger_entry");
  for (const std::string& token : {ops, ended, std::string(64, 'f')}) {
    for (const Failure& f :
         {failure("SELECT * FROM creditgate.portal_tenants(decode($1, 'hex'))", token),
          failure("SELECT * FROM creditgate.portal_top_up(decode($1, 'hex'), 'acme', 1000000, "
                  "'R-1', NULL)",
                  token),
          failure("SELECT creditgate.portal_add_tenant(decode($1, 'hex'), 'newco', 'EUR', NULL)",
                  token),
          failure("SELECT creditgate.portal_set_contacts(decode($1, 'hex'), 'acme', "
                  "ARRAY['x@evil.example'])",
                  token)}) {
      EXPECT_EQ(f.sqlstate, "42501") << f.message;
      EXPECT_THAT(f.message, HasSubstr("only a portal admin with an open session"));
      EXPECT_THAT(f.message, Not(HasSubstr("acme")));
      EXPECT_THAT(f.message, Not(HasSubstr("newco")));
    }
  }
  EXPECT_EQ(db_.count("ledger_entry"), entries);
  EXPECT_EQ(db_.count("tenant"), 2);
  EXPECT_EQ(db_.count("portal_topup"), 0);
  EXPECT_EQ(db_.queryInt("SELECT cardinality(contacts) FROM creditgate.tenant "
                         "WHERE tenant_id = 'acme'"),
            1);
}

TEST_F(PortalPagesTest, TheTenantListHasEveryTenantWithTodaysSpending) {
  decide("acme", "m1", "marketing", {"+4915110000001", "+4915110000002"}, {136'500, 136'500});
  settle("acme", "m1", {"+4915110000002"}, "{false}");
  decide("bistro", "b1", "utility", {"+4915110000003"}, {9'000});
  db_.exec("INSERT INTO creditgate.tenant (tenant_id, currency) VALUES ('legacy', 'XTS')");
  const std::string boss = login("boss@example.com");
  pqxx::nontransaction txn(portal_);
  const pqxx::result r = txn.exec_params(
      "SELECT tenant_id, currency, minor_units, balance_micros, spent_today_micros, "
      "contacts::text, created_at IS NOT NULL FROM creditgate.portal_tenants(decode($1, 'hex'))",
      boss);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0][0].as<std::string>(), "acme");
  EXPECT_EQ(r[1][0].as<std::string>(), "bistro");
  EXPECT_EQ(r[2][0].as<std::string>(), "legacy");
  EXPECT_EQ(r[0][2].as<int>(), 2);
  EXPECT_EQ(r[1][2].as<int>(), 0);
  EXPECT_EQ(r[2][2].as<int>(), 2);
  EXPECT_EQ(r[0][3].as<std::int64_t>(), db_.balance("acme"));
  EXPECT_EQ(r[0][4].as<std::int64_t>(), 136'500);  // net of the refund, as tenant_account counts
  EXPECT_EQ(r[1][4].as<std::int64_t>(), 9'000);
  EXPECT_EQ(r[2][4].as<std::int64_t>(), 0);
  EXPECT_EQ(r[0][5].as<std::string>(), "{billing@acme.example}");
  for (const auto& row : r) {
    pqxx::nontransaction su(db_.connection());
    EXPECT_EQ(row[4].as<std::int64_t>(),
              su.exec_params1("SELECT spent_today_micros FROM creditgate.tenant_account($1)",
                              row[0].as<std::string>())[0]
                  .as<std::int64_t>());
  }
}

// A double submit is one ledger entry; the admin who made it is kept beside it, the note as typed.
TEST_F(PortalPagesTest, ATopUpIsRecordedOnceWithItsAdmin) {
  const std::string boss = login("boss@example.com");
  const auto topUp = [&](std::int64_t amount, const std::string& reference) {
    pqxx::nontransaction txn(portal_);
    return txn.exec_params1(
        "SELECT entry_id, balance_after_micros, replayed FROM creditgate.portal_top_up("
        "decode($1, 'hex'), 'acme', $2, $3, 'wire 42')",
        boss, amount, reference);
  };
  const std::int64_t before = db_.balance("acme");
  const std::int64_t entries = db_.count("ledger_entry");
  const pqxx::row first = topUp(5'000'000, "PORTAL-1");
  EXPECT_FALSE(first[2].as<bool>());
  EXPECT_EQ(first[1].as<std::int64_t>(), before + 5'000'000);
  const pqxx::row again = topUp(5'000'000, "PORTAL-1");
  EXPECT_TRUE(again[2].as<bool>());
  EXPECT_EQ(again[0].as<std::int64_t>(), first[0].as<std::int64_t>());
  EXPECT_EQ(db_.count("ledger_entry"), entries + 1);
  EXPECT_EQ(db_.balance("acme"), before + 5'000'000);
  EXPECT_EQ(db_.count("portal_topup"), 1);
  {
    pqxx::nontransaction txn(db_.connection());
    const pqxx::row row = txn.exec1(
        "SELECT p.email, p.entry_id, l.note, l.reference FROM creditgate.portal_topup p "
        "JOIN creditgate.ledger_entry l USING (tenant_id, entry_id)");
    EXPECT_EQ(row[0].as<std::string>(), "boss@example.com");
    EXPECT_EQ(row[1].as<std::int64_t>(), first[0].as<std::int64_t>());
    EXPECT_EQ(row[2].as<std::string>(), "wire 42");
    EXPECT_EQ(row[3].as<std::string>(), "PORTAL-1");
  }

  const Failure other = failure(
      "SELECT * FROM creditgate.portal_top_up(decode($1, 'hex'), 'acme', 6000000, 'PORTAL-1', "
      "NULL)",
      boss);
  EXPECT_EQ(other.sqlstate, "23505");
  EXPECT_THAT(other.message, HasSubstr("reference PORTAL-1 was already used for tenant acme"));
  const Failure unknown = failure(
      "SELECT * FROM creditgate.portal_top_up(decode($1, 'hex'), 'nosuch', 1000000, 'R-9', NULL)",
      boss);
  EXPECT_EQ(unknown.sqlstate, "P0002");
  EXPECT_THAT(unknown.message, HasSubstr("unknown tenant nosuch"));
  EXPECT_EQ(failure("SELECT * FROM creditgate.portal_top_up(decode($1, 'hex'), 'acme', 0, 'R-0', "
                    "NULL)",
                    boss)
                .sqlstate,
            "22023");
  EXPECT_EQ(db_.count("ledger_entry"), entries + 1);
  EXPECT_EQ(db_.count("portal_topup"), 1);
}

TEST_F(PortalPagesTest, AnAdminAddsATenantWithAddTenantsRules) {
  const std::string boss = login("boss@example.com");
  const auto add = [&](const std::string& id, const std::string& currency, const char* contact) {
    pqxx::nontransaction txn(portal_);
    return txn
        .exec_params1("SELECT creditgate.portal_add_tenant(decode($1, 'hex'), $2, $3, $4)", boss,
                      id, currency, contact)[0]
        .as<std::string>();
  };
  EXPECT_EQ(add("newco", "GBP", "money@newco.example"), "created");
  EXPECT_EQ(add("newco", "GBP", nullptr), "exists");
  EXPECT_EQ(add("quiet", "EUR", ""), "created");  // an empty contact is none
  EXPECT_EQ(db_.queryInt("SELECT cardinality(contacts) FROM creditgate.tenant "
                         "WHERE tenant_id = 'quiet'"),
            0);
  const Failure currency =
      failure("SELECT creditgate.portal_add_tenant(decode($1, 'hex'), 'newco', 'EUR', NULL)", boss);
  EXPECT_EQ(currency.sqlstate, "23505");
  EXPECT_THAT(currency.message, HasSubstr("tenant newco already exists with currency GBP"));
  const Failure unknown =
      failure("SELECT creditgate.portal_add_tenant(decode($1, 'hex'), 'other', 'XYZ', NULL)", boss);
  EXPECT_EQ(unknown.sqlstate, "CGCUR");
  EXPECT_THAT(unknown.message, HasSubstr("'XYZ'"));
  const Failure id = failure(
      "SELECT creditgate.portal_add_tenant(decode($1, 'hex'), 'two words', 'EUR', NULL)", boss);
  EXPECT_EQ(id.sqlstate, "22023");
  EXPECT_THAT(id.message, HasSubstr("'two words'"));
  EXPECT_EQ(db_.count("tenant"), 4);

  pqxx::nontransaction txn(portal_);
  EXPECT_EQ(txn.exec_params1("SELECT count(*) FROM creditgate.portal_tenants(decode($1, 'hex')) "
                             "WHERE tenant_id = 'newco' AND currency = 'GBP' AND contacts = "
                             "ARRAY['money@newco.example']",
                             boss)[0]
                .as<int>(),
            1);
}

TEST_F(PortalPagesTest, SetContactsReplacesTheListAndNamesWhatItRefuses) {
  const std::string boss = login("boss@example.com");
  const std::string set =
      "SELECT creditgate.portal_set_contacts(decode($1, 'hex'), $2, $3::text[])";
  {
    pqxx::nontransaction txn(portal_);
    EXPECT_EQ(txn.exec_params1(set + "::text", boss, "acme",
                               "{ops@acme.example,\"webhook:https://acme.example/hook\"}")[0]
                  .as<std::string>(),
              "{ops@acme.example,webhook:https://acme.example/hook}");
  }
  const std::string long_one = "x" + std::string(2000, 'y');  // sql/023: 2000 characters at most
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"{a,b,c,d,e,f,g,h,i,j,k}", "got 11"},
      {"{ok@acme.example,\"\"}", "contact ''"},
      {"{ok@acme.example,NULL}", "contact NULL"},
      {"{\"" + long_one + "\"}", "'xyyy"},
      {"{\"tab\there\"}", "'tab?here'"},
      {"{ops@acme.example,Ops@Acme.example}", "contact 'Ops@Acme.example' is listed twice"},
      {"{https://acme.example/other}", "write a channel as email:<address>, webhook:<https url>"},
      {"{webhook:https://acme.example:99999/x}", "is not a webhook URL"}};
  for (const auto& [contacts, named] : refused) {
    const Failure f = failure(set, boss, "acme", contacts);
    EXPECT_EQ(f.sqlstate, "22023") << contacts;
    EXPECT_THAT(f.message, HasSubstr(named)) << contacts;
  }
  const Failure unknown = failure(set, boss, "nosuch", "{a@b.example}");
  EXPECT_EQ(unknown.sqlstate, "P0002");
  EXPECT_THAT(unknown.message, HasSubstr("unknown tenant 'nosuch'"));
  {  // nothing refused was stored; an empty list clears
    pqxx::nontransaction txn(db_.connection());
    EXPECT_EQ(txn.exec1("SELECT contacts::text FROM creditgate.tenant WHERE tenant_id = 'acme'")[0]
                  .as<std::string>(),
              "{ops@acme.example,webhook:https://acme.example/hook}");
  }
  pqxx::nontransaction txn(portal_);
  EXPECT_EQ(txn.exec_params1(set + "::text", boss, "acme", "{}")[0].as<std::string>(), "{}");
}

}  // namespace
}  // namespace creditgate::testing
