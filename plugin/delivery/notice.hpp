// A notification event as the relay hands it to a channel (email, webhook), and what its payload
// says. The payload is the ledger's (sql/009_notifications.sql, sql/012_group_commit.sql); its keys
// by type, integers in micro-units:
//
//   insufficient_credit  batch_id, decision ("block" | "allow_flagged"),
//                        reason ("insufficient_credit" | "overdraft_limit_exceeded" | "overdraft"),
//                        price_micros, balance_micros, shortfall_micros, currency
//   low_balance          level ("warning" | "critical"), threshold_micros, balance_micros, currency
//   depleted             level ("depleted"), threshold_micros, balance_micros, currency
//   recovered            levels (array of level names), balance_micros, currency
//
// A message built from it says what is known: a key that is missing or of another type (a payload
// written by a newer ledger, or damaged) leaves its fact unknown, never a crash.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creditgate {

struct Notice {
  std::int64_t event_id = 0;
  std::string tenant_id;
  std::string type;          // insufficient_credit | low_balance | depleted | recovered
  std::string payload_json;  // as the ledger emitted it (keys above)
  std::string campaign_id;   // of the payload's batch_id ("" when none or unknown)
  int minor_units = 2;       // of the payload's currency (ISO 4217)
  std::chrono::system_clock::time_point created_at;
};

// The payload's keys that messages use, each empty when missing or ill-typed (an amount must be
// a JSON integer that fits int64; a name a JSON string).
struct NoticeFacts {
  std::optional<std::string> batch_id;
  std::optional<std::string> decision;
  std::optional<std::string> reason;
  std::optional<std::string> level;
  std::optional<std::string> currency;
  std::optional<std::int64_t> price_micros;
  std::optional<std::int64_t> balance_micros;
  std::optional<std::int64_t> shortfall_micros;
  std::optional<std::int64_t> threshold_micros;
  std::vector<std::string> levels;  // the string elements of "levels"
};

// Never throws but for memory: a payload that is not a JSON object gives no facts.
NoticeFacts readNoticeFacts(std::string_view payload_json);

}  // namespace creditgate
