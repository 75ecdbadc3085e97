#include "ledger_statements.hpp"

#include "decisions.hpp"
#include "doubts.hpp"
#include "outbox.hpp"
#include "rate_data_source.hpp"
#include "settlements.hpp"
#include "tenant_accounts.hpp"
#include "tenant_profiles.hpp"

namespace creditgate {

std::vector<Statement> ledgerStatements() {
  std::vector<Statement> all;
  for (const auto domain :
       {Decisions::statements(), Settlements::statements(), TenantProfiles::statements(),
        TenantAccounts::statements(), RateDataSource::statements(), Outbox::statements(),
        Doubts::statements()}) {
    all.insert(all.end(), domain.begin(), domain.end());
  }
  return all;
}

}  // namespace creditgate
