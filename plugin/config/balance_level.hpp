// How low a balance is against a tenant's low-balance thresholds, for CreditGate::balance(). The
// same comparison as the ledger's notifications (note_balance_fall, sql/009_notifications.sql), so
// a host never shows "ok" for a balance the ledger has sent a low_balance event about: a level
// applies when the balance is below its threshold, depleted below one micro-unit (zero or less),
// and the most severe level that applies wins.
#pragma once

#include <cstdint>

#include "config.hpp"
#include "creditgate/host_api.hpp"

namespace creditgate {

api::BalanceLevel balanceLevel(std::int64_t balance_micros,
                               const AlertThresholds& thresholds) noexcept;

}  // namespace creditgate
