// Settling terminal outcomes at the ledger (creditgate.settle_outcomes): each failed recipient
// refunded once; replays change nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "creditgate/host_api.hpp"
#include "database.hpp"

namespace creditgate {

struct LedgerSettlement {
  api::Reason reason = api::Reason::internal_error;  // ok | unknown_tenant | unknown_batch
  std::uint32_t refunded_recipients = 0;
  std::int64_t refunded_micros = 0;
  std::uint32_t already_settled = 0;
  std::uint32_t not_in_batch = 0;
  std::optional<std::int64_t> balance_after_micros;
  std::string currency;
};

class Settlements {
 public:
  explicit Settlements(Database& database) : database_(database) {}

  // Throws LedgerError; a lost answer is in_doubt (re-sending the same outcomes is always safe).
  LedgerSettlement settle(std::string_view tenant_id, std::string_view batch_id,
                          std::span<const std::string_view> recipients,
                          std::span<const bool> delivered, Database::Deadline deadline);

  static std::span<const Statement> statements();

 private:
  Database& database_;
};

}  // namespace creditgate
