#include "balance_level.hpp"

namespace creditgate {

api::BalanceLevel balanceLevel(std::int64_t balance_micros,
                               const AlertThresholds& thresholds) noexcept {
  // Most severe first: a tenant's own warning may sit below the default critical (each field of
  // notifications.tenants.<id> overrides the default on its own), and then both apply.
  if (balance_micros < 1) return api::BalanceLevel::depleted;
  if (thresholds.critical_micros && balance_micros < *thresholds.critical_micros) {
    return api::BalanceLevel::critical;
  }
  if (thresholds.warning_micros && balance_micros < *thresholds.warning_micros) {
    return api::BalanceLevel::warning;
  }
  return api::BalanceLevel::ok;
}

}  // namespace creditgate
