// A tenant's webhook endpoints and the signing secrets valid now, as both the tenant commands
// (tenant add --contact, tenant contacts) and the webhook commands (webhook list) show them.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>

namespace pqxx {
class transaction_base;
}

namespace creditgate::ctl {

// A webhook contact is this prefix and the endpoint's URL (sql/023's contact_kind).
inline constexpr std::string_view kWebhookPrefix = "webhook:";

// Webhook endpoints listed in their tenant's contacts (of tenant $1, or all when NULL), with the
// signing secrets valid now, newest first (expires NULL: the current one; else an old one kept
// valid by a rotation until then).
// Shared so that webhook list and the tenant commands show the same secrets.
extern const char* const kEndpoints;

// How long a secret valid now signs: "current" (until the next rotation) or "until <time> UTC".
std::string secretValidity(const boost::json::value& expires);

// Each webhook endpoint's signing secrets valid now (a JSON array as kEndpoints' secrets), by URL.
std::map<std::string, boost::json::array> secretsByUrl(pqxx::transaction_base& txn,
                                                       const std::string& tenant);

}  // namespace creditgate::ctl
