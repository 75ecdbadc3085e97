#include "tenant_accounts.hpp"

#include <pqxx/pqxx>

#include "pg_field.hpp"

namespace creditgate {
namespace {

constexpr Statement kTenantAccount{
    "tenant_account",
    "SELECT currency, balance_micros, spent_today_micros FROM creditgate.tenant_account($1)"};
constexpr Statement kStatements[] = {kTenantAccount};

}  // namespace

std::span<const Statement> TenantAccounts::statements() {
  return kStatements;
}

std::optional<TenantAccount> TenantAccounts::find(std::string_view tenant_id,
                                                  Database::Deadline deadline) {
  return database_.perform(Database::Effect::read, deadline,
                           [&](pqxx::connection& connection) -> std::optional<TenantAccount> {
                             pqxx::nontransaction txn(connection);
                             const pqxx::result rows =
                                 database_.exec(txn, kTenantAccount, bindableText(tenant_id));
                             if (rows.empty()) return std::nullopt;
                             TenantAccount account;
                             account.currency = rows[0][0].as<std::string>();
                             account.balance_micros = rows[0][1].as<std::int64_t>();
                             account.spent_today_micros = rows[0][2].as<std::int64_t>();
                             return account;
                           });
}

}  // namespace creditgate
