// Is the schema ready to be sharded by tenant (Citus, docs/SCALING.md)? Checked on the catalog
// after every migration: each table is a tenant table (a tenant_id column) or listed below as a
// reference or coordinator-local table; a tenant table's primary key leads with tenant_id, its
// unique indexes and its foreign keys to other tenant tables include tenant_id, and its foreign
// keys to other tables point at reference tables; a function taking a tenant takes it first; a
// function a client role may call without a tenant is listed with what it is. The known gaps are
// listed as such, each with what would change: a new gap, or a gap that was closed, fails the test
// until the lists (and docs/SCALING.md) say so.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "test_database.hpp"

namespace creditgate::testing {
namespace {

using Names = std::set<std::string>;

// Tables without tenant_id: what each would be on Citus. "reference": copied to every node
// (small, rarely written, read by the money functions on the node that holds the tenant);
// "coordinator": a local table on the coordinator (written often, read by no money function).
const std::map<std::string, std::string>& notTenantTables() {
  static const std::map<std::string, std::string> tables = {
      {"market", "reference: markets, read by pricing and by the tenant's home_market key"},
      {"market_prefix", "reference: calling-code prefixes of the markets"},
      {"rate_card", "reference: the rate cards a debit records"},
      {"rate", "reference: the rates of the cards"},
      {"rate_data_version", "reference: one row, bumped by the rate tables' triggers"},
      {"currency", "reference: currency codes and minor units, read by every money function"},
      {"topup_limits", "reference: one row, read by every top-up"},
      {"portal_user", "reference: portal logins; portal_topup.email refers to it"},
      {"portal_session", "coordinator: written on every portal request (last_seen_at)"},
      {"portal_login_failure", "coordinator: failed portal logins, for the lock-out"},
      {"api_key", "coordinator: API keys of creditgate-server, read by no money function"},
  };
  return tables;
}

// Known gaps: unique indexes of tenant tables without tenant_id (Citus refuses them).
const Names kUniqueWithoutTenant = {
    // outbox_event (event_id) alone (sql/009): mark_event_sent/mark_event_failed (no longer called
    // by the plugin) find an event by its id alone. On Citus: a plain index, and those functions
    // dropped.
    "outbox_event.outbox_event_id",
};

// Functions that take a tenant, but not first: what comes first, and why it can stay.
const Names kTenantNotFirst = {
    // The portal's calls lead with the session token (sql/020, 021, 023): the session decides
    // which tenants the caller may see. Delegated on Citus by their second argument.
    "portal_account",
    "portal_add_tenant",
    "portal_batches",
    "portal_deliveries",
    "portal_ledger",
    "portal_notifications",
    "portal_set_contacts",
    "portal_spend",
    "portal_tenant_info",
    "portal_top_up",
    "portal_visible_tenant",
    "portal_webhooks",
    // The relay's report of an attempt (sql/023) leads with the relay's name (its lease).
    "finish_delivery",
};

// Functions a client role may call that take no tenant: what each is (docs/SCALING.md).
const std::map<std::string, std::string>& noTenantFunctions() {
  static const std::map<std::string, std::string> functions = {
      // reference data and global settings
      {"import_market_mapping", "reference data"},
      {"import_rate_card", "reference data"},
      {"markets", "reference data"},
      {"market_prefixes_at", "reference data"},
      {"rate_cards_at", "reference data"},
      {"rates_at", "reference data"},
      {"rate_data_version", "reference data"},
      {"set_topup_limits", "reference data"},
      {"contact_problem", "pure: checks a contact's text"},
      // API keys and portal logins (coordinator tables)
      {"add_api_key", "global"},
      {"revoke_api_key", "global"},
      {"api_key_digest", "global"},
      {"add_portal_user", "global"},
      {"reset_portal_password", "global"},
      {"disable_portal_user", "global"},
      {"portal_login_lookup", "global"},
      {"portal_login_failed", "global"},
      {"portal_session_start", "global"},
      {"portal_session_user", "global"},
      {"portal_session_end", "global"},
      {"portal_session_end_all", "global"},
      // several tenants in one call: what changes on Citus is in docs/SCALING.md
      {"decide_batches", "cross-tenant: the group commit's flush, several tenants per commit"},
      {"quote_request", "one tenant, named inside the JSON request"},
      {"void_doubtful_batches", "cross-tenant: the doubts of every tenant, oldest first"},
      {"claim_deliveries", "cross-tenant: the relay's claim, SKIP LOCKED over all tenants"},
      {"claim_events", "cross-tenant: the old relay's claim (sql/009), no longer called"},
      {"mark_event_sent", "cross-tenant: by event id alone (sql/009), no longer called"},
      {"mark_event_failed", "cross-tenant: by event id alone (sql/009), no longer called"},
      {"delivery_backlog", "cross-tenant: a count for the metrics"},
      {"ledger_watch", "cross-tenant: top-ups after a global entry id, for the metrics"},
      {"portal_tenants", "cross-tenant: the tenants a portal user may see"},
  };
  return functions;
}

// The money functions: each must exist and take the tenant (text) as its first argument, so that
// Citus can run the whole call on the node that holds the tenant (create_distributed_function).
const Names kMoneyFunctions = {
    "decide_batch",    "quote_batch",    "settle_outcomes",    "topup",
    "note_doubt",      "tenant_balance", "tenant_account",     "tenant_profile",
    "tenant_currency", "add_tenant",     "set_tenant_pricing", "set_tenant_contacts",
};

class ShardingReadinessTest : public ::testing::Test {
 protected:
  Names names(const std::string& sql) {
    Names out;
    pqxx::nontransaction txn(db_.connection());
    for (const auto& row : txn.exec(sql)) out.insert(row[0].as<std::string>());
    return out;
  }
  static std::string list(const Names& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
  }

  Names allTables() {
    return names(
        "SELECT relname FROM pg_class WHERE relnamespace = 'creditgate'::regnamespace "
        "AND relkind IN ('r', 'p')");
  }
  Names tenantTables() {
    return names(
        "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
        "WHERE c.relnamespace = 'creditgate'::regnamespace AND c.relkind IN ('r', 'p') "
        "AND a.attname = 'tenant_id' AND NOT a.attisdropped");
  }
  // Tenant tables without a primary key, or with one that does not lead with tenant_id.
  Names keyNotLeadingWithTenant() {
    const Names leading = names(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
        "WHERE c.relnamespace = 'creditgate'::regnamespace AND i.indisprimary "
        "AND a.attname = 'tenant_id'");
    Names out;
    for (const auto& table : tenantTables()) {
      if (leading.count(table) == 0) out.insert(table);
    }
    return out;
  }
  // table.index of the unique indexes of tenant tables that leave tenant_id out.
  Names uniqueWithoutTenant() {
    return names(
        "SELECT c.relname || '.' || ic.relname FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid "
        "WHERE c.relnamespace = 'creditgate'::regnamespace AND i.indisunique "
        "AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid "
        "            AND a.attname = 'tenant_id' AND NOT a.attisdropped) "
        "AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid "
        "                AND a.attname = 'tenant_id' AND a.attnum = ANY (i.indkey))");
  }
  // "name: from -> to" of the foreign keys Citus would refuse: into a tenant table other than
  // tenant_id to tenant_id, from a tenant or reference table into anything but a reference table.
  Names foreignKeysAcrossTenants() {
    const Names tenant = tenantTables();
    const auto kind = [&](const std::string& table) -> std::string {
      if (tenant.count(table) > 0) return "tenant";
      const auto it = notTenantTables().find(table);
      return it == notTenantTables().end() ? "?" : it->second.substr(0, it->second.find(':'));
    };
    Names out;
    pqxx::nontransaction txn(db_.connection());
    const auto keys = txn.exec(
        "SELECT f.conname, c.relname, r.relname, "
        "       EXISTS (SELECT FROM unnest(f.conkey) WITH ORDINALITY k(attnum, n) "
        "               JOIN unnest(f.confkey) WITH ORDINALITY rk(attnum, n) USING (n) "
        "               JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum "
        "               JOIN pg_attribute ra ON ra.attrelid = f.confrelid "
        "                                   AND ra.attnum = rk.attnum "
        "               WHERE a.attname = 'tenant_id' AND ra.attname = 'tenant_id') "
        "FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid "
        "JOIN pg_class r ON r.oid = f.confrelid "
        "WHERE f.contype = 'f' AND f.connamespace = 'creditgate'::regnamespace");
    for (const auto& key : keys) {
      const auto from = key[1].as<std::string>();
      const auto to = key[2].as<std::string>();
      const bool by_tenant = key[3].as<bool>();
      const bool ok = kind(to) == "tenant"        ? kind(from) == "tenant" && by_tenant
                      : kind(from) == "tenant"    ? kind(to) == "reference"
                      : kind(from) == "reference" ? kind(to) == "reference"
                                                  : true;  // coordinator -> reference/coordinator
      if (!ok) out.insert(key[0].as<std::string>() + ": " + from + " -> " + to);
    }
    return out;
  }
  Names tenantNotFirst() {
    return names(
        "SELECT proname FROM pg_proc WHERE pronamespace = 'creditgate'::regnamespace "
        "AND 'p_tenant_id' = ANY (proargnames) AND proargnames[1] <> 'p_tenant_id'");
  }
  Names clientFunctionsWithoutTenant() {
    return names(
        "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'creditgate'::regnamespace "
        "AND NOT coalesce('p_tenant_id' = ANY (p.proargnames), false) "
        "AND EXISTS (SELECT FROM aclexplode(p.proacl) x JOIN pg_roles r ON r.oid = x.grantee "
        "            WHERE x.privilege_type = 'EXECUTE' AND r.rolname IN ('creditgate_plugin', "
        "            'creditgate_admin', 'creditgate_portal', 'creditgate_server'))");
  }

  TestDatabase db_;
};

TEST_F(ShardingReadinessTest, EveryTableIsATenantTableOrAListedReferenceOrCoordinatorTable) {
  const Names tenant = tenantTables();
  ASSERT_GE(tenant.size(), 10u) << list(tenant);
  const Names all = allTables();
  for (const auto& table : all) {
    const bool listed = notTenantTables().count(table) > 0;
    EXPECT_NE(tenant.count(table) > 0, listed)
        << table
        << (listed ? ": has tenant_id, yet is listed as not a tenant table"
                   : ": has no tenant_id and is not listed as reference or coordinator");
  }
  for (const auto& [table, what] : notTenantTables()) {
    EXPECT_EQ(all.count(table), 1u) << table << " is listed but does not exist";
  }
}

TEST_F(ShardingReadinessTest, EveryTenantTablesPrimaryKeyLeadsWithTenantId) {
  const Names bad = keyNotLeadingWithTenant();
  EXPECT_TRUE(bad.empty()) << "primary key missing or not led by tenant_id: " << list(bad);
}

TEST_F(ShardingReadinessTest, EveryUniqueIndexOfATenantTableIncludesTenantIdExceptTheKnownGaps) {
  const Names without = uniqueWithoutTenant();
  EXPECT_EQ(without, kUniqueWithoutTenant)
      << "unique indexes of tenant tables without tenant_id: " << list(without);
}

TEST_F(ShardingReadinessTest, ForeignKeysStayInOneTenantOrPointAtReferenceTables) {
  const Names bad = foreignKeysAcrossTenants();
  EXPECT_TRUE(bad.empty()) << list(bad);
}

TEST_F(ShardingReadinessTest, EveryFunctionTakingATenantTakesItFirstExceptTheListed) {
  const Names not_first = tenantNotFirst();
  EXPECT_EQ(not_first, kTenantNotFirst)
      << "functions whose tenant is not the first argument: " << list(not_first);
  const Names first_text = names(
      "SELECT proname FROM pg_proc WHERE pronamespace = 'creditgate'::regnamespace "
      "AND proargnames[1] = 'p_tenant_id' AND proargtypes[0] = 'text'::regtype");
  for (const auto& function : kMoneyFunctions) {
    EXPECT_EQ(first_text.count(function), 1u)
        << function << ": missing, or its first argument is not p_tenant_id text";
  }
}

TEST_F(ShardingReadinessTest, EveryFunctionAClientMayCallWithoutATenantIsListed) {
  const Names without = clientFunctionsWithoutTenant();
  Names listed;
  for (const auto& [function, what] : noTenantFunctions()) listed.insert(function);
  EXPECT_EQ(without, listed) << "client-callable functions without a tenant: " << list(without);
}

// The checks themselves: a table, an index, a key and functions that break each rule are found.
TEST_F(ShardingReadinessTest, TheChecksFindWhatBreaksTheRules) {
  db_.exec(
      "CREATE TABLE creditgate.bad_order (order_id bigint, tenant_id text, ref text, "
      "                                   PRIMARY KEY (order_id, tenant_id));"
      "CREATE UNIQUE INDEX bad_order_ref ON creditgate.bad_order (ref);"
      "CREATE TABLE creditgate.bad_item (tenant_id text, item_id bigint, order_ref text "
      "  REFERENCES creditgate.bad_order (ref), PRIMARY KEY (tenant_id, item_id));"
      "CREATE TABLE creditgate.bad_global (id int PRIMARY KEY);"
      "CREATE FUNCTION creditgate.bad_money(p_amount bigint, p_tenant_id text) RETURNS void "
      "  LANGUAGE sql AS 'SELECT';"
      "CREATE FUNCTION creditgate.bad_report() RETURNS void LANGUAGE sql AS 'SELECT';"
      "GRANT EXECUTE ON FUNCTION creditgate.bad_report() TO creditgate_plugin;");
  EXPECT_EQ(keyNotLeadingWithTenant(), Names{"bad_order"});
  EXPECT_EQ(uniqueWithoutTenant().count("bad_order.bad_order_ref"), 1u);
  EXPECT_EQ(foreignKeysAcrossTenants(), Names{"bad_item_order_ref_fkey: bad_item -> bad_order"});
  EXPECT_EQ(tenantNotFirst().count("bad_money"), 1u);
  EXPECT_EQ(clientFunctionsWithoutTenant().count("bad_report"), 1u);
  const Names tenant = tenantTables();
  EXPECT_EQ(tenant.count("bad_global") + notTenantTables().count("bad_global"), 0u);
  EXPECT_EQ(allTables().count("bad_global"), 1u);
}

}  // namespace
}  // namespace creditgate::testing
