// Least privilege for creditgate-server's key lookups (sql/017): a login of creditgate_server can
// execute api_key_digest and nothing else, and admins list keys without reading their digests.
#include <gtest/gtest.h>

#include <string>

#include "test_database.hpp"

namespace creditgate::testing {
namespace {

class ServerRoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.seedRates();
    db_.addTenant("acme", "EUR", 1'000'000);
    db_.exec(
        "SELECT creditgate.add_api_key('abcdefghij01', sha256('secret'::bytea), 'gateway', "
        "'test')");
  }

  std::string sqlstateAsServer(const std::string& sql) { return sqlstateAs(db_.serverDsn(), sql); }
  std::string sqlstateAsAdmin(const std::string& sql) { return sqlstateAs(db_.adminDsn(), sql); }

  TestDatabase db_;
};

TEST_F(ServerRoleTest, CanLookUpAKeysDigestAndScope) {
  pqxx::connection server(db_.serverDsn());
  pqxx::nontransaction txn(server);
  const pqxx::row row = txn.exec1(
      "SELECT secret_sha256 = sha256('secret'::bytea), scope "
      "FROM creditgate.api_key_digest('abcdefghij01')");
  EXPECT_TRUE(row[0].as<bool>());
  EXPECT_EQ(row[1].as<std::string>(), "gateway");
  EXPECT_TRUE(txn.exec("SELECT * FROM creditgate.api_key_digest('unknownid012')").empty());
}

TEST_F(ServerRoleTest, CannotReadAnyTableNorAnyRelationOrSequence) {
  std::vector<std::string> tables;
  {
    pqxx::nontransaction txn(db_.connection());
    for (const auto& row : txn.exec("SELECT tablename FROM pg_tables WHERE schemaname = "
                                    "'creditgate' ORDER BY tablename")) {
      tables.push_back("creditgate." + row[0].as<std::string>());
    }
    // The catalog's view, so that a table added later is covered without a list to update.
    const auto granted = txn.exec(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'creditgate' AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S') AND ("
        " has_table_privilege('creditgate_test_server', c.oid, "
        "   'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
        " OR has_any_column_privilege('creditgate_test_server', c.oid, 'SELECT')"
        " OR (c.relkind = 'S' AND has_sequence_privilege('creditgate_test_server', c.oid, "
        "   'USAGE, SELECT, UPDATE')))");
    for (const auto& row : granted) {
      ADD_FAILURE() << "the server role has a privilege on " << row[0].as<std::string>();
    }
  }
  ASSERT_GE(tables.size(), 10u);
  for (const auto& table : tables) {
    EXPECT_EQ(sqlstateAsServer("SELECT * FROM " + table), "42501") << table;
  }
  EXPECT_EQ(sqlstateAsServer("SELECT key_id, scope FROM creditgate.api_key"), "42501");
}

TEST_F(ServerRoleTest, CanExecuteOnlyApiKeyDigest) {
  {
    pqxx::nontransaction txn(db_.connection());
    const auto executable = txn.exec(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'creditgate' AND has_function_privilege('creditgate_test_server', "
        "p.oid, 'EXECUTE') ORDER BY 1");
    ASSERT_EQ(executable.size(), 1u);
    EXPECT_EQ(executable[0][0].as<std::string>(), "api_key_digest");
  }
  // The money functions and the admin ones, called as the server: refused, nothing changed.
  EXPECT_EQ(sqlstateAsServer("SELECT * FROM creditgate.decide_batch('acme', 'b-1', 'c', 't', "
                             "'marketing', ARRAY['+4915112345678'], ARRAY[1000]::bigint[], 'EUR', "
                             "'block', 0, NULL, NULL, NULL, 0)"),
            "42501");
  EXPECT_EQ(sqlstateAsServer("SELECT creditgate.decide_batches('[]')"), "42501");
  EXPECT_EQ(sqlstateAsServer("SELECT creditgate.tenant_balance('acme')"), "42501");
  EXPECT_EQ(sqlstateAsServer("SELECT creditgate.topup('acme', 1000000, 'free-money', NULL)"),
            "42501");
  EXPECT_EQ(sqlstateAsServer("SELECT creditgate.add_tenant('evil', 'EUR', NULL)"), "42501");
  EXPECT_EQ(sqlstateAsServer("SELECT creditgate.add_api_key('evilevilevil', "
                             "sha256('x'::bytea), 'admin', NULL)"),
            "42501");
  EXPECT_EQ(sqlstateAsServer("SELECT creditgate.revoke_api_key('abcdefghij01')"), "42501");
  EXPECT_EQ(db_.balance("acme"), 1'000'000);
  EXPECT_EQ(db_.count("api_key"), 1);
  EXPECT_EQ(db_.queryInt("SELECT count(*) FROM creditgate.api_key WHERE revoked_at IS NULL"), 1);
}

TEST_F(ServerRoleTest, AdminsListKeysButNeverReadTheirDigestsNorLookThemUp) {
  EXPECT_EQ(sqlstateAsAdmin(
                "SELECT key_id, scope, label, created_at, revoked_at FROM creditgate.api_key"),
            "");
  EXPECT_EQ(sqlstateAsAdmin("SELECT secret_sha256 FROM creditgate.api_key"), "42501");
  EXPECT_EQ(sqlstateAsAdmin("SELECT * FROM creditgate.api_key"), "42501");
  EXPECT_EQ(sqlstateAsAdmin("SELECT * FROM creditgate.api_key_digest('abcdefghij01')"), "42501");
  EXPECT_EQ(sqlstateAsAdmin("UPDATE creditgate.api_key SET revoked_at = NULL"), "42501");
  EXPECT_EQ(sqlstateAsAdmin("INSERT INTO creditgate.api_key (key_id, secret_sha256, scope) "
                            "VALUES ('evilevilevil', sha256('x'::bytea), 'admin')"),
            "42501");
  // The plugin's role has nothing to do with keys.
  EXPECT_EQ(sqlstateAs(db_.pluginDsn(), "SELECT * FROM creditgate.api_key_digest('abcdefghij01')"),
            "42501");
}

TEST_F(ServerRoleTest, TheTableRefusesWhatTheServerCouldNotRead) {
  // Written as the owner would, past add_api_key: the CHECKs still hold.
  const auto insert = [this](const std::string& key_id, const std::string& digest_hex,
                             const std::string& scope) {
    pqxx::nontransaction txn(db_.connection());
    try {
      txn.exec_params(
          "INSERT INTO creditgate.api_key (key_id, secret_sha256, scope) "
          "VALUES ($1, decode($2, 'hex'), $3)",
          key_id, digest_hex, scope);
      return std::string();
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate();
    }
  };
  const std::string digest(64, 'a');
  EXPECT_EQ(insert("ABCDEFGHIJ01", digest, "gateway"), "23514");
  EXPECT_EQ(insert("abcdefghij0", digest, "gateway"), "23514");
  EXPECT_EQ(insert("abcdefghij02", "00", "gateway"), "23514");
  EXPECT_EQ(insert("abcdefghij03", digest, "tenant:"), "23514");
  EXPECT_EQ(insert("abcdefghij04", digest, "tenant:ac me"), "23514");
  EXPECT_EQ(insert("abcdefghij05", digest, "Admin"), "23514");
  EXPECT_EQ(insert("abcdefghij06", digest, "tenant:caf\xc3\xa9"), "23514");
  EXPECT_EQ(insert("abcdefghij07", digest, "tenant:" + std::string(65, 'x')), "23514");
  EXPECT_EQ(insert("abcdefghij08", digest, "tenant:acme"), "");
}

TEST_F(ServerRoleTest, AddApiKeyNamesWhatItRefuses) {
  const auto message = [this](const std::string& sql) {
    pqxx::nontransaction txn(db_.connection());
    try {
      txn.exec(sql);
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate() + " " + std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("SELECT creditgate.add_api_key('abcdefghij09', sha256('x'::bytea), "
                    "'tenant:ghost', NULL)")
                .find("P0002 ERROR:  scope tenant:ghost: unknown tenant 'ghost'"),
            std::string::npos);
  EXPECT_NE(message("SELECT creditgate.add_api_key('abcdefghij09', sha256('x'::bytea), "
                    "'root', NULL)")
                .find("22023 ERROR:  scope 'root' must be gateway, admin or tenant:<tenant id>"),
            std::string::npos);
  EXPECT_NE(message("SELECT creditgate.add_api_key('abc', sha256('x'::bytea), 'admin', NULL)")
                .find("22023 ERROR:  key id 'abc' must be 12 characters a-z or 0-9"),
            std::string::npos);
  EXPECT_NE(message("SELECT creditgate.add_api_key('abcdefghij09', '\\x0102'::bytea, 'admin', "
                    "NULL)")
                .find("22023 ERROR:  secret_sha256 must be a SHA-256 digest of 32 bytes, got 2 "
                      "bytes"),
            std::string::npos);
  EXPECT_NE(message("SELECT creditgate.add_api_key('abcdefghij01', sha256('y'::bytea), 'admin', "
                    "NULL)")
                .find("23505 ERROR:  key id abcdefghij01 already exists"),
            std::string::npos);
  EXPECT_EQ(db_.count("api_key"), 1);
}

TEST_F(ServerRoleTest, RevokeIsIdempotentAndFalseForAnUnknownKey) {
  EXPECT_TRUE(db_.queryInt("SELECT creditgate.revoke_api_key('abcdefghij01')::int") == 1);
  const std::string first = pqxx::nontransaction(db_.connection())
                                .exec1("SELECT revoked_at::text FROM creditgate.api_key")[0]
                                .as<std::string>();
  EXPECT_TRUE(db_.queryInt("SELECT creditgate.revoke_api_key('abcdefghij01')::int") == 1);
  EXPECT_EQ(pqxx::nontransaction(db_.connection())
                .exec1("SELECT revoked_at::text FROM creditgate.api_key")[0]
                .as<std::string>(),
            first);
  EXPECT_EQ(db_.queryInt("SELECT creditgate.revoke_api_key('unknownid012')::int"), 0);
  pqxx::connection server(db_.serverDsn());
  pqxx::nontransaction txn(server);
  EXPECT_TRUE(txn.exec("SELECT * FROM creditgate.api_key_digest('abcdefghij01')").empty());
}

}  // namespace
}  // namespace creditgate::testing
