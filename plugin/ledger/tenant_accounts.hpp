// A tenant's account as the ledger holds it now (creditgate.tenant_account, sql/016): what a host
// shows through CreditGate::balance(). Read live on every call, never cached: a balance shown to a
// tenant must be the ledger's, not the last decision's.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "database.hpp"

namespace creditgate {

struct TenantAccount {
  std::string currency;                 // ISO 4217
  std::int64_t balance_micros = 0;      // negative in overdraft
  std::int64_t spent_today_micros = 0;  // debits less refunds and voids since 00:00 UTC (sql/016)
};

class TenantAccounts {
 public:
  explicit TenantAccounts(Database& database) : database_(database) {}

  // nullopt: no such tenant. Throws LedgerError.
  std::optional<TenantAccount> find(std::string_view tenant_id, Database::Deadline deadline);

  static std::span<const Statement> statements();

 private:
  Database& database_;
};

}  // namespace creditgate
