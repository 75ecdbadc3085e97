// creditctl: the admin CLI. Finds the command, runs it, and turns what went wrong into an exit
// code: 0 ok, 1 the operation failed (unknown tenant, refused by the database),
//   2 usage or bad argument (also one only the database can judge: an amount over the top-up
//   limits, a currency that is not ISO 4217's), 3 the database cannot be reached.
// Messages never contain the DSN: it holds a password.
#include <cstdlib>
#include <iostream>
#include <optional>
#include <pqxx/pqxx>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "admin_database.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "creditgate/version.hpp"
#include "csv_reader.hpp"

namespace creditgate::ctl {
namespace {

enum ExitCode : int { kOk = 0, kFailed = 1, kUsage = 2, kUnreachable = 3 };

struct Command {
  std::vector<std::string_view> name;  // the words that select it
  std::string_view usage;
  CommandFunction run;
};

const std::vector<Command> kCommands = {
    {{"migrate"},
     "creditctl migrate [--sql-dir DIR]\n"
     "    Applies the pending sql/ migrations (needs a role that may create roles and schemas).\n",
     migrateCommand},
    {{"tenant", "add"},
     "creditctl tenant add ID --currency CUR [--contact CONTACT]\n"
     "    Adds a tenant with a zero balance; adding it again with the same currency\n"
     "    changes nothing. CUR must be an active ISO 4217 code, CONTACT a channel as in\n"
     "    tenant contacts (exit 2 otherwise).\n",
     tenantAddCommand},
    {{"tenant", "contacts"},
     "creditctl tenant contacts TENANT CONTACT...\n"
     "    Sets who is told about the tenant's credit (low balance, blocked batches),\n"
     "    replacing the contacts it had (at most 10). Each CONTACT is a channel:\n"
     "      email:<address>       a mail, e.g. email:billing@acme.example\n"
     "      webhook:<https url>   a signed POST (http only to 127.0.0.1, localhost or [::1])\n"
     "      host                  the gateway's own notifier (host notify()); so is any other\n"
     "                            text, kept for contacts set before channels existed\n"
     "    A bad address or URL is refused with the value named (exit 2). Prints each\n"
     "    contact's channel and each webhook's signing secret, for its receiver's owner.\n",
     tenantContactsCommand},
    {{"tenant", "pricing"},
     "creditctl tenant pricing TENANT --auth-international yes|no [--home-market NAME]\n"
     "    Whether Meta's authentication-international rate applies to the tenant's\n"
     "    authentication messages outside its home market (yes needs --home-market, a\n"
     "    market name as in rates show; an unknown market is refused, exit 1).\n",
     tenantPricingCommand},
    {{"topup"},
     "creditctl topup TENANT AMOUNT --ref REF [--note TEXT] [--json]\n"
     "    Adds AMOUNT (an exact decimal in the tenant's currency, e.g. 12.5) to the\n"
     "    balance; the same REF again changes nothing. An amount over the top-up limits\n"
     "    (creditctl limits) is refused (exit 2).\n",
     topupCommand},
    // Before {"limits"}: the first command whose whole name the words spell is the one run.
    {{"limits", "set"},
     "creditctl limits set [--max-topup AMOUNT] [--max-balance AMOUNT] [--json]\n"
     "    Changes the largest top-up and the largest balance a top-up may reach (exact\n"
     "    decimals in each tenant's own currency; the balance limit at most\n"
     "    9007199254.740991, and not below the top-up limit).\n",
     limitsSetCommand},
    {{"limits"},
     "creditctl limits [--json]\n"
     "    The top-up limits every admin's top-ups are held to, and who changed them last.\n",
     limitsCommand},
    {{"balance"},
     "creditctl balance TENANT [--json]\n"
     "    Shows the balance, debt (overdraft), spending since midnight UTC and the contacts.\n",
     balanceCommand},
    {{"ledger"},
     "creditctl ledger TENANT [--since DATE] [--limit N] [--json]\n"
     "    The tenant's ledger entries, oldest first, from midnight UTC of DATE (default:\n"
     "    all): the newest N (default 100) when more match, which the output says.\n",
     ledgerCommand},
    {{"batches"},
     "creditctl batches TENANT --status blocked|flagged|partial|voided [--since DATE]\n"
     "                 [--limit N] [--json]\n"
     "    blocked: refused batches with price, balance then and shortfall; flagged: batches\n"
     "    sent into the overdraft, or unverified during an outage (reason ledger_unavailable);\n"
     "    partial: batches sent in part, with the held recipients; voided: batches whose debit\n"
     "    was given back because their decision stayed in doubt (no host was told to send).\n",
     batchesCommand},
    {{"events"},
     "creditctl events [--pending] [--tenant TENANT] [--limit N] [--json]\n"
     "    The notification outbox: each event's type, when it was sent (or that it is\n"
     "    pending: --pending shows only those), its payload and its delivery record, one\n"
     "    per channel: state (pending, delivered, failed, disabled), attempts, the last\n"
     "    SMTP or HTTP status and error, and when the next attempt is due.\n",
     eventsCommand},
    {{"webhook", "list"},
     "creditctl webhook list [--tenant TENANT] [--json]\n"
     "    The tenants' webhook endpoints (one per webhook contact): active, or disabled\n"
     "    since when and why (it answered 410 Gone), with the signing secrets valid now\n"
     "    and until when each is.\n",
     webhookListCommand},
    {{"webhook", "rotate"},
     "creditctl webhook rotate TENANT URL [--overlap-hours H]\n"
     "    Makes a new signing secret for the webhook and prints it; the old ones stay\n"
     "    valid H hours more (default 24, 0 to 720; 0: the new one alone from now), both\n"
     "    signing meanwhile. URL as webhook list shows it (or as the webhook:<url>\n"
     "    contact). A tenant without that webhook is refused (exit 1).\n",
     webhookRotateCommand},
    {{"webhook", "enable"},
     "creditctl webhook enable TENANT URL\n"
     "    Switches a disabled webhook back on: new events are delivered to it again (the\n"
     "    deliveries disabled meanwhile stay so). A tenant without that webhook is refused\n"
     "    (exit 1).\n",
     webhookEnableCommand},
    {{"quote"},
     "creditctl quote --config PLUGIN_CONFIG.json CAMPAIGNS.json [--json]\n"
     "    Prices each campaign of a campaign file (as demo/campaigns.json) as one batch with\n"
     "    the plugin's own core and config, and says what decide() would answer now:\n"
     "    total, available credit, affordable recipients, the price per market. Changes\n"
     "    nothing: the database is the config's (no --dsn), and the config's outbox relay\n"
     "    is switched off for the quote.\n",
     quoteCommand},
    {{"rates", "import"},
     "creditctl rates import FILE [--currency CUR] [--effective-from DATE] [--source TEXT]\n"
     "    Imports Meta's rate-card download (Pricing.csv) as the card of its currency from\n"
     "    its effective date. Currency and date come from the file or the options (they\n"
     "    must agree). A bad file is refused whole (exit 2); the same file again changes\n"
     "    nothing; other rates for an imported currency and date are refused (exit 1).\n",
     ratesImportCommand},
    {{"rates", "show"},
     "creditctl rates show [--currency CUR] [--at DATE] [--json]\n"
     "    The rate cards in force on DATE (default: today, UTC) and their rates.\n",
     ratesShowCommand},
    {{"apikey", "add"},
     "creditctl apikey add --scope SCOPE [--label TEXT] [--json]\n"
     "    Makes an API key for creditgate-server and prints it once: it cannot be shown\n"
     "    again (the database keeps only its SHA-256 digest). SCOPE: gateway (decide,\n"
     "    quote, report outcomes for any tenant), admin (everything) or tenant:ID (read\n"
     "    that tenant's balance only; an unknown tenant is refused, exit 1).\n",
     apikeyAddCommand},
    {{"apikey", "list"},
     "creditctl apikey list [--json]\n"
     "    Every API key: id, scope, label, when created and revoked. Never a secret.\n",
     apikeyListCommand},
    {{"apikey", "revoke"},
     "creditctl apikey revoke KEY_ID\n"
     "    Revokes the key (its id, as apikey list shows it); revoking it again changes\n"
     "    nothing. Servers refuse it once their key cache expires (seconds).\n",
     apikeyRevokeCommand},
    {{"user", "add"},
     "creditctl user add EMAIL --role ROLE [--json]\n"
     "    Makes a billing portal user and prints their password once: it cannot be shown\n"
     "    again (the database keeps only its Argon2id hash). ROLE: admin (every tenant) or\n"
     "    tenant:ID (that tenant's pages only; an unknown tenant is refused, exit 1). The\n"
     "    email is kept lowercased; one already used is refused (exit 1).\n",
     userAddCommand},
    {{"user", "list"},
     "creditctl user list [--json]\n"
     "    Every portal user: email, role, when created, password last set, disabled. Never a\n"
     "    password or its hash.\n",
     userListCommand},
    {{"user", "reset"},
     "creditctl user reset EMAIL [--json]\n"
     "    Gives the user a new password, printed once; the old one stops working. A disabled\n"
     "    user stays disabled.\n",
     userResetCommand},
    {{"user", "disable"},
     "creditctl user disable EMAIL\n"
     "    Disables the user: they can no longer log in. Disabling again changes nothing.\n",
     userDisableCommand},
    {{"markets", "import"},
     "creditctl markets import FILE --valid-from DATE\n"
     "    Imports a prefix,market mapping (e.g. data/market_prefixes_2025.csv) in force from\n"
     "    DATE: changed and dropped prefixes are closed on DATE, new market names added.\n",
     marketsImportCommand},
};

// The first lines of --help; the man page creditctl(1) is made from the whole --help text
// (packaging/man/help-to-roff.awk: its second line is the page's NAME, each "name:" block a
// section).
constexpr std::string_view kGlobalUsage =
    "usage: creditctl [--dsn DSN] COMMAND [ARGS]\n"
    "creditctl administers a creditgate ledger: tenants, credit, rates, API keys, portal users.\n"
    "It works on the ledger's PostgreSQL database as an admin login; every command takes\n"
    "--help, and a partial command (e.g. creditctl tenant --help) lists the commands it starts.\n"
    "\n"
    "options:\n"
    "  --dsn DSN   libpq connection string of an admin user (default: $CREDITGATE_ADMIN_DSN)\n"
    "  --help      prints this help and exits (COMMAND --help: that command's)\n"
    "  --version   prints \"creditctl " CREDITGATE_VERSION "\" and exits\n"
    "\n"
    "environment:\n"
    "  CREDITGATE_ADMIN_DSN   the DSN when --dsn is not given\n"
    "\n"
    "files:\n"
    "  " CREDITGATE_SQL_DIR "\n"
    "      the migrations migrate applies (unless --sql-dir names others)\n"
    "  " CREDITGATE_DATA_DIR "\n"
    "      reference data, e.g. market_prefixes_2025.csv for markets import\n"
    "  " CREDITGATE_CONFIG_DIR "/creditgate.json\n"
    "      the plugin's config, as quote --config reads it\n"
    "\n"
    "exit status:\n"
    "  0   ok\n"
    "  1   the operation failed (e.g. an unknown tenant, refused by the database)\n"
    "  2   usage, bad argument or bad input file (nothing was written)\n"
    "  3   the database cannot be reached\n"
    "\n"
    "commands:\n";

void printUsage(std::ostream& out, std::span<const Command* const> commands) {
  for (const Command* command : commands) out << "  " << command->usage;
}

std::vector<const Command*> allCommands() {
  std::vector<const Command*> all;
  for (const Command& command : kCommands) all.push_back(&command);
  return all;
}

// The command whose name the line's first words spell, or, for a partial name ("tenant"), every
// command starting with those words in `partial`.
const Command* findCommand(const std::vector<std::string>& words,
                           std::vector<const Command*>& partial) {
  for (const Command& command : kCommands) {
    std::size_t matched = 0;
    while (matched < command.name.size() && matched < words.size() &&
           words[matched] == command.name[matched]) {
      ++matched;
    }
    if (matched == command.name.size()) return &command;
    if (matched > 0 && matched == words.size()) partial.push_back(&command);
  }
  return nullptr;
}

int run(std::span<const std::string> args) {
  const CommandLine line = CommandLine::parse(args);
  std::vector<const Command*> partial;
  const Command* command = findCommand(line.words(), partial);

  if (line.flag("version")) {
    std::cout << "creditctl " CREDITGATE_VERSION "\n";
    return kOk;
  }
  if (line.flag("help")) {
    if (command != nullptr) {
      std::cout << "usage: " << command->usage;
    } else if (!partial.empty()) {
      std::cout << "usage:\n";
      printUsage(std::cout, partial);
    } else {
      std::cout << kGlobalUsage;
      printUsage(std::cout, allCommands());
    }
    return kOk;
  }
  if (command == nullptr) {
    if (line.words().empty()) throw UsageError("no command given; see creditctl --help");
    // Not echoed: a stray word may be a misplaced DSN.
    throw UsageError("unknown command; see creditctl --help");
  }

  std::optional<std::string> dsn = line.option("dsn");
  if (!dsn) {
    if (const char* from_env = std::getenv("CREDITGATE_ADMIN_DSN")) dsn = from_env;
  }
  Database database(std::move(dsn));
  command->run(line.afterWords(command->name.size()), database, std::cout);
  return kOk;
}

int fail(int code, const std::string& message) {
  std::cout.flush();
  std::cerr << "creditctl: " << message << '\n';
  return code;
}

}  // namespace
}  // namespace creditgate::ctl

int main(int argc, char** argv) {
  using namespace creditgate::ctl;
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return run(args);
  } catch (const UsageError& e) {
    return fail(kUsage, e.what());
  } catch (const creditgate::admin::InputFileError& e) {
    return fail(kUsage, e.what());  // a bad input file: nothing was written
  } catch (const DatabaseUnreachable& e) {
    return fail(kUnreachable, e.what());
  } catch (const CommandFailed& e) {
    return fail(kFailed, e.what());
  } catch (const pqxx::broken_connection& e) {
    return fail(kUnreachable, "lost the database connection: " + firstLine(e.what()));
  } catch (const pqxx::sql_error& e) {
    return fail(kFailed, databaseMessage(e));
  } catch (const std::exception& e) {
    return fail(kFailed, firstLine(e.what()));
  }
}
