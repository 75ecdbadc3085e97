// creditctl tenant add: creates a tenant with a zero balance through creditgate.add_tenant.
#include <pqxx/pqxx>

#include "arguments.hpp"
#include "commands.hpp"

namespace creditgate::ctl {
namespace {

constexpr const char* kAddTenant = "SELECT creditgate.add_tenant($1, $2, $3)";

}  // namespace

void tenantAddCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "currency", "contact"});
  line.expectWords(1, "creditctl tenant add ID --currency CUR [--contact TEXT]");
  const std::string& tenant = tenantIdArgument(line.words()[0]);
  const std::string currency = currencyArgument(line.requiredOption("currency"));
  const std::optional<std::string> contact = line.option("contact");

  // Another currency for an existing tenant is refused by the database (23505), with a message
  // naming the currency it has; main.cpp reports it as is.
  pqxx::nontransaction txn(database.connection());
  const std::string outcome =
      txn.exec_params1(kAddTenant, tenant, currency,
                       contact ? contact->c_str() : static_cast<const char*>(nullptr))[0]
          .as<std::string>();
  if (outcome == "created") {
    out << "tenant " << tenant << " created (" << currency << ")\n";
  } else {
    out << "tenant " << tenant << " already exists (" << currency << ")\n";
  }
}

}  // namespace creditgate::ctl
