// The rate data at the ledger: its version (bumped by every import), and the markets, prefixes,
// cards and rates in force on a day, read in one consistent snapshot.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "database.hpp"
#include "rate_snapshot.hpp"

namespace creditgate {

class RateDataSource {
 public:
  explicit RateDataSource(Database& database) : database_(database) {}

  std::int64_t version(Database::Deadline deadline);
  // The rate data in force on `day` (YYYY-MM-DD). Throws LedgerError.
  RateData load(const std::string& day, Database::Deadline deadline);

  static std::span<const Statement> statements();

 private:
  Database& database_;
};

}  // namespace creditgate
