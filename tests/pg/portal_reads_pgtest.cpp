// What the portal reads (sql/020), as the portal's login reads it: only through a session, and
// only the tenants that session's user may see. Another tenant's data answers exactly like a
// tenant that does not exist (no row: the portal's 404), for every read.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "creditctl_fixture.hpp"
#include "password.hpp"

namespace creditgate::testing {
namespace {

class PortalReadsTest : public CreditctlFixture {
 protected:
  void SetUp() override {
    CreditctlFixture::SetUp();  // tenant acme
    db_.addTenant("bistro", "EUR", 0);
    for (int i = 1; i <= 25; ++i) db_.topup("acme", i * 1'000'000, "INV-" + std::to_string(i));
    db_.topup("bistro", 7'000'000, "B-1");
    pqxx::nontransaction txn(db_.connection());
    for (const auto& [email, role] : {std::pair{"ops@acme.example", "tenant:acme"},
                                      std::pair{"chef@bistro.example", "tenant:bistro"},
                                      std::pair{"boss@example.com", "admin"}}) {
      txn.exec_params("SELECT creditgate.add_portal_user($1, $2, $3)", email, role,
                      server::hashPassword("x"));
    }
  }

  std::string login(const std::string& email) {
    static int n = 0;
    char token[65];
    std::snprintf(token, sizeof token, "%064x", 1000 + ++n);
    pqxx::nontransaction txn(portal_);
    txn.exec_params("SELECT creditgate.portal_session_start($1, decode($2, 'hex'), 600, 3600)",
                    email, token);
    return token;
  }

  std::optional<std::int64_t> balance(const std::string& token, const std::string& tenant) {
    pqxx::nontransaction txn(portal_);
    const pqxx::result r = txn.exec_params(
        "SELECT balance_micros FROM creditgate.portal_account(decode($1, 'hex'), $2)", token,
        tenant);
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::int64_t>();
  }

  // References of a ledger page, newest first.
  std::vector<std::string> ledger(const std::string& token, const std::string& tenant,
                                  std::optional<std::int64_t> before = {}, int limit = 10,
                                  const char* from = nullptr, const char* to = nullptr) {
    pqxx::nontransaction txn(portal_);
    const pqxx::result r = txn.exec_params(
        "SELECT reference, entry_id FROM creditgate.portal_ledger(decode($1, 'hex'), $2, $3, $4, "
        "$5, $6)",
        token, tenant, from, to, before, limit);
    std::vector<std::string> refs;
    for (const auto& row : r) refs.push_back(row[0].c_str());
    last_entry_id_ = r.empty() ? 0 : r[r.size() - 1][1].as<std::int64_t>();
    return refs;
  }

  pqxx::connection portal_{db_.portalDsn()};
  std::int64_t last_entry_id_ = 0;
};

TEST_F(PortalReadsTest, ATenantUserSeesItsOwnAccountAndNoOtherTenantExists) {
  const std::string ops = login("ops@acme.example");
  EXPECT_EQ(balance(ops, "acme"), 325'000'000);  // 1 + 2 + ... + 25 EUR
  EXPECT_EQ(balance(ops, "bistro"), std::nullopt);
  EXPECT_EQ(balance(ops, "nosuch"), std::nullopt);  // the same answer as for bistro
  EXPECT_TRUE(ledger(ops, "bistro").empty());
  EXPECT_TRUE(ledger(ops, "nosuch").empty());

  const std::string chef = login("chef@bistro.example");
  EXPECT_EQ(balance(chef, "bistro"), 7'000'000);
  EXPECT_EQ(balance(chef, "acme"), std::nullopt);
  EXPECT_TRUE(ledger(chef, "acme").empty());
}

TEST_F(PortalReadsTest, AnAdminSeesEveryTenant) {
  const std::string boss = login("boss@example.com");
  EXPECT_EQ(balance(boss, "acme"), 325'000'000);
  EXPECT_EQ(balance(boss, "bistro"), 7'000'000);
  EXPECT_EQ(balance(boss, "nosuch"), std::nullopt);
  EXPECT_EQ(ledger(boss, "bistro"), std::vector<std::string>{"B-1"});
}

TEST_F(PortalReadsTest, WithoutAnOpenSessionNothingIsSeen) {
  const std::string ops = login("ops@acme.example");
  {
    pqxx::nontransaction txn(portal_);
    txn.exec_params("SELECT creditgate.portal_session_end(decode($1, 'hex'))", ops);
  }
  EXPECT_EQ(balance(ops, "acme"), std::nullopt);
  EXPECT_TRUE(ledger(ops, "acme").empty());
  EXPECT_EQ(balance(std::string(64, '0'), "acme"), std::nullopt);  // never issued

  const std::string again = login("ops@acme.example");
  ASSERT_EQ(admin({"user", "disable", "ops@acme.example"}).exit_code, 0);
  EXPECT_EQ(balance(again, "acme"), std::nullopt);
}

TEST_F(PortalReadsTest, TheLedgerPagesNewestFirstByEntryAndFiltersByDay) {
  const std::string ops = login("ops@acme.example");
  std::vector<std::string> first = ledger(ops, "acme");
  ASSERT_EQ(first.size(), 10u);
  EXPECT_EQ(first.front(), "INV-25");
  EXPECT_EQ(first.back(), "INV-16");
  EXPECT_EQ(ledger(ops, "acme", last_entry_id_).front(), "INV-15");
  const std::vector<std::string> third = ledger(ops, "acme", last_entry_id_);
  EXPECT_EQ(third.size(), 5u);
  EXPECT_EQ(third.back(), "INV-1");
  EXPECT_TRUE(ledger(ops, "acme", last_entry_id_).empty());
  // Every entry was written today (UTC): a range ending yesterday has none, one from today all.
  EXPECT_TRUE(ledger(ops, "acme", {}, 100, nullptr, "2000-01-01").empty());
  EXPECT_EQ(ledger(ops, "acme", {}, 100, "2000-01-01", nullptr).size(), 25u);
  pqxx::nontransaction txn(db_.connection());
  const std::string today = txn.exec1("SELECT (now() AT TIME ZONE 'UTC')::date::text")[0].c_str();
  EXPECT_EQ(ledger(ops, "acme", {}, 100, today.c_str(), today.c_str()).size(), 25u);
  EXPECT_EQ(sqlstateAs(db_.portalDsn(),
                       "SELECT * FROM creditgate.portal_ledger(decode(repeat('00', 32), 'hex'), "
                       "'acme', NULL, NULL, NULL, 0)"),
            "22023");
}

TEST_F(PortalReadsTest, TheAccountIsInItsCurrencyAndTopUpsAreNotSpending) {
  const std::string ops = login("ops@acme.example");
  pqxx::nontransaction txn(portal_);
  const pqxx::row row = txn.exec_params1(
      "SELECT currency, spent_today_micros, spent_30_days_micros "
      "FROM creditgate.portal_account(decode($1, 'hex'), 'acme')",
      ops);
  EXPECT_EQ(row[0].as<std::string>(), "EUR");
  EXPECT_EQ(row[1].as<std::int64_t>(), 0);  // top-ups are not spending
  EXPECT_EQ(row[2].as<std::int64_t>(), 0);
}

}  // namespace
}  // namespace creditgate::testing
