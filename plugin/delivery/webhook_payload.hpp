// A notice as a webhook's body, in the Standard Webhooks shape ({"type", "timestamp", "data"}):
//
//   {"type":"creditgate.low_balance","timestamp":"2025-07-01T09:05:00.000000Z",
//    "data":{"event_id":42,"tenant_id":"acme",<the payload's keys as the ledger emitted them>,
//            "campaign_id":"spring" (when known),
//            "balance":"4.10","threshold":"5.00","shortfall":"12.00" (each when its amount is)}}
//
// Amounts stay JSON integers in micro-units, for machines; "balance", "threshold" and "shortfall"
// are the same amounts written in the currency's own way (formatMicrosIn), for people.
#pragma once

#include <chrono>
#include <string>

#include "notice.hpp"

namespace creditgate {

// Compact JSON. A payload that is not a JSON object contributes no keys; a payload key named like
// one of ours (event_id, tenant_id, campaign_id, balance, threshold, shortfall) is left out.
std::string webhookBody(const Notice& notice);

// created_at as the body's timestamp: ISO 8601 in UTC with microseconds, "...T09:05:00.000000Z".
std::string isoTimestamp(std::chrono::system_clock::time_point when);

}  // namespace creditgate
