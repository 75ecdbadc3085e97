// creditctl's commands. Each checks its arguments first (UsageError), then runs parameterized SQL
// on the admin connection; what it reports goes to `out`, failures are thrown (see main.cpp for the
// exit code of each).
#pragma once

#include <ostream>
#include <stdexcept>

#include "admin_database.hpp"
#include "cli_args.hpp"

namespace creditgate::ctl {

// The command could not do what was asked: unknown tenant, refused by the database (exit 1).
class CommandFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `line` holds the command's own words and options, without its name.
using CommandFunction = void (*)(const CommandLine& line, Database& database, std::ostream& out);

void migrateCommand(const CommandLine& line, Database& database, std::ostream& out);
void tenantAddCommand(const CommandLine& line, Database& database, std::ostream& out);
void topupCommand(const CommandLine& line, Database& database, std::ostream& out);
void balanceCommand(const CommandLine& line, Database& database, std::ostream& out);
void ratesImportCommand(const CommandLine& line, Database& database, std::ostream& out);
void ratesShowCommand(const CommandLine& line, Database& database, std::ostream& out);
void marketsImportCommand(const CommandLine& line, Database& database, std::ostream& out);
void tenantContactsCommand(const CommandLine& line, Database& database, std::ostream& out);
void tenantPricingCommand(const CommandLine& line, Database& database, std::ostream& out);
void webhookListCommand(const CommandLine& line, Database& database, std::ostream& out);
void webhookRotateCommand(const CommandLine& line, Database& database, std::ostream& out);
void webhookEnableCommand(const CommandLine& line, Database& database, std::ostream& out);
void ledgerCommand(const CommandLine& line, Database& database, std::ostream& out);
void batchesCommand(const CommandLine& line, Database& database, std::ostream& out);
void eventsCommand(const CommandLine& line, Database& database, std::ostream& out);
void limitsCommand(const CommandLine& line, Database& database, std::ostream& out);
void limitsSetCommand(const CommandLine& line, Database& database, std::ostream& out);
void apikeyAddCommand(const CommandLine& line, Database& database, std::ostream& out);
void apikeyListCommand(const CommandLine& line, Database& database, std::ostream& out);
void apikeyRevokeCommand(const CommandLine& line, Database& database, std::ostream& out);
void userAddCommand(const CommandLine& line, Database& database, std::ostream& out);
void userListCommand(const CommandLine& line, Database& database, std::ostream& out);
void userResetCommand(const CommandLine& line, Database& database, std::ostream& out);
void userDisableCommand(const CommandLine& line, Database& database, std::ostream& out);
// Connects with the plugin config's DSN, not `database`.
void quoteCommand(const CommandLine& line, Database& database, std::ostream& out);

}  // namespace creditgate::ctl
