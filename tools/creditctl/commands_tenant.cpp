// creditctl tenant add, contacts and pricing: a tenant's record, changed only through the admin
// functions (creditgate.add_tenant, set_tenant_contacts, set_tenant_pricing).
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "arguments.hpp"
#include "commands.hpp"
#include "pg_array.hpp"
#include "quoted_text.hpp"
#include "text_table.hpp"
#include "webhook_endpoints.hpp"

namespace creditgate::ctl {
namespace {

constexpr const char* kAddTenant = "SELECT creditgate.add_tenant($1, $2, $3)";
constexpr const char* kSetContacts = "SELECT creditgate.set_tenant_contacts($1, $2::text[])";
constexpr const char* kSetPricing = "SELECT creditgate.set_tenant_pricing($1, $2, $3)";

constexpr const char* kUnknownTenantState = "P0002";    // raised by the set_tenant_* functions
constexpr const char* kForeignKeyViolation = "23503";   // home_market names no market
constexpr const char* kUnknownCurrencyState = "CGCUR";  // add_tenant: not in creditgate.currency
// A contact the channel rule refuses (sql/023's contact_problem), too many or one twice. The
// database's message names the value.
constexpr const char* kInvalidParameterState = "22023";

// The channel a contact names, as sql/023's contact_kind says.
std::string_view channelKind(std::string_view contact) {
  if (contact.starts_with("email:")) return "email";
  if (contact.starts_with(kWebhookPrefix)) return "webhook";
  return "host";
}

constexpr const char* kHandTheSecret =
    "Give each webhook's signing secret to whoever runs its receiver: it checks the\n"
    "webhook-signature header with it (Standard Webhooks). creditctl webhook list shows\n"
    "them again; creditctl webhook rotate replaces one.\n";

// The contacts just stored, each with its channel and, for a webhook, its signing secrets.
void printContacts(const std::vector<std::string_view>& contacts,
                   const std::map<std::string, boost::json::array>& secrets, std::ostream& out) {
  TextTable table({{"CHANNEL"}, {"CONTACT"}, {"SIGNING SECRET (VALID NOW)"}});
  bool webhooks = false;
  for (std::string_view contact : contacts) {
    const std::string_view kind = channelKind(contact);
    const std::string shown = printableText(contact, 2000);
    const auto found = kind == "webhook"
                           ? secrets.find(std::string(contact.substr(kWebhookPrefix.size())))
                           : secrets.end();
    if (found == secrets.end() || found->second.empty()) {
      table.addRow({std::string(kind), shown, "-"});
      continue;
    }
    webhooks = true;
    bool first = true;
    for (const boost::json::value& secret : found->second) {
      table.addRow({first ? std::string(kind) : "", first ? shown : "",
                    std::string(secret.at("secret").as_string()) + " (" +
                        secretValidity(secret.at("expires")) + ")"});
      first = false;
    }
  }
  table.print(out, "  ");
  if (webhooks) out << kHandTheSecret;
}

}  // namespace

void tenantAddCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "currency", "contact"});
  line.expectWords(1, "creditctl tenant add ID --currency CUR [--contact TEXT]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const std::string currency = currencyArgument(line.requiredOption("currency"));
  const std::optional<std::string> contact = line.option("contact");
  if (contact) contactArgument(*contact);

  // Another currency for an existing tenant is refused by the database (23505), with a message
  // naming the currency it has; main.cpp reports it as is. Whether a well-formed code is an active
  // ISO 4217 currency is the database's to say (creditgate.currency, sql/013), so every admin's
  // creditctl agrees with it.
  pqxx::nontransaction txn(database.connection());
  std::string outcome;
  try {
    outcome = txn.exec_params1(kAddTenant, tenant, currency,
                               contact ? contact->c_str() : static_cast<const char*>(nullptr))[0]
                  .as<std::string>();
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kUnknownCurrencyState) {
      throw UsageError("--currency " + quoted(currency) +
                       " is not an active ISO 4217 currency code (see "
                       "data/iso4217_currencies_2025.csv or the table creditgate.currency)");
    }
    // The channel rule (creditgate.contact_problem), whose message names the contact.
    if (e.sqlstate() == kInvalidParameterState) throw UsageError(databaseMessage(e));
    throw;
  }
  if (outcome != "created") {
    out << "tenant " << tenant << " already exists (" << currency << ")\n";
    return;
  }
  out << "tenant " << tenant << " created (" << currency << ")\n";
  if (contact) printContacts({*contact}, secretsByUrl(txn, tenant), out);
}

void tenantContactsCommand(const CommandLine& line, Database& database, std::ostream& out) {
  constexpr std::string_view kUsage = "creditctl tenant contacts TENANT CONTACT...";
  line.allowOnly({"dsn"});
  if (line.words().size() < 2) throw UsageError("missing argument; usage: " + std::string(kUsage));
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  std::vector<std::string_view> contacts;
  for (std::size_t i = 1; i < line.words().size(); ++i) {
    contacts.push_back(contactArgument(line.words()[i]));
  }

  // One transaction: the secrets shown are those of the contacts just stored.
  pqxx::work txn(database.connection());
  try {
    txn.exec_params(kSetContacts, tenant, pgTextArray(contacts));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kUnknownTenantState)
      throw CommandFailed("unknown tenant " + quoted(tenant));
    // The channel rule (creditgate.contact_problem), whose message names the contact.
    if (e.sqlstate() == kInvalidParameterState) throw UsageError(databaseMessage(e));
    throw;
  }
  const std::map<std::string, boost::json::array> secrets = secretsByUrl(txn, tenant);
  txn.commit();
  out << "tenant " << tenant << ": " << contacts.size()
      << (contacts.size() == 1 ? " contact" : " contacts") << " (replacing any before)\n";
  printContacts(contacts, secrets, out);
}

void tenantPricingCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "auth-international", "home-market"});
  line.expectWords(1,
                   "creditctl tenant pricing TENANT --auth-international yes|no "
                   "[--home-market NAME]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const bool eligible =
      yesNoArgument("--auth-international", line.requiredOption("auth-international"));
  const std::optional<std::string> home_market = line.option("home-market");
  if (home_market) marketArgument("--home-market", *home_market);
  if (eligible && !home_market) {
    throw UsageError("--auth-international yes needs --home-market NAME (the tenant's own market)");
  }

  pqxx::nontransaction txn(database.connection());
  try {
    txn.exec_params(kSetPricing, tenant, eligible,
                    home_market ? home_market->c_str() : static_cast<const char*>(nullptr));
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kUnknownTenantState)
      throw CommandFailed("unknown tenant " + quoted(tenant));
    if (e.sqlstate() == kForeignKeyViolation) {
      throw CommandFailed("unknown market " + quoted(*home_market) +
                          " (creditctl rates show lists the markets)");
    }
    throw;
  }
  out << "tenant " << tenant << ": authentication-international " << (eligible ? "yes" : "no")
      << ", home market " << (home_market ? *home_market : std::string("(none)")) << '\n';
}

}  // namespace creditgate::ctl
