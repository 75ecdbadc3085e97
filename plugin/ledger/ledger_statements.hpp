// Every named statement of the ledger's domains, for the Database to prepare on each connection.
#pragma once

#include <vector>

#include "database.hpp"

namespace creditgate {

std::vector<Statement> ledgerStatements();

}  // namespace creditgate
