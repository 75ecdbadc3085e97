// Decisions in doubt at the ledger (sql/014_doubt_and_outage.sql): a lost decide() attempt is
// noted; those the ledger has known of for the grace period are resolved (a debit no call got the
// verdict of is voided).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "database.hpp"

namespace creditgate {

// What void_doubtful_batches did with one batch whose decision was in doubt.
struct DoubtResolution {
  std::string tenant_id;
  std::string batch_id;
  std::string resolution;  // voided | kept | not_recorded
  std::int64_t voided_micros = 0;
  std::string currency;
};

class Doubts {
 public:
  explicit Doubts(Database& database) : database_(database) {}

  void note(std::string_view tenant_id, std::string_view batch_id, std::int64_t attempt_id,
            Database::Deadline deadline);
  std::vector<DoubtResolution> resolveDue(int grace_ms, int limit, Database::Deadline deadline);

  static std::span<const Statement> statements();

 private:
  Database& database_;
};

}  // namespace creditgate
