// What a valid tenant ID, currency, amount and reference are on creditctl's command line. Each
// check returns the value to use or throws UsageError naming the argument and quoting what was
// given, so a bad argument never reaches the database.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "calendar_date.hpp"

namespace creditgate::ctl {

// The text as it can safely appear in a message: printable ASCII as is, other bytes as \xNN, long
// text cut short, all in single quotes.
std::string quoted(std::string_view text);

// 1 to 64 printable ASCII characters, no spaces (the tenant table's CHECK).
const std::string& tenantIdArgument(const std::string& text);
// 3 uppercase letters (ISO 4217).
const std::string& currencyArgument(const std::string& text);
// An exact decimal amount > 0 with at most 6 decimals, in micro-units. `name` names the argument.
std::int64_t positiveAmountArgument(std::string_view name, const std::string& text);
// 1 to 128 characters (the top-up function's limit).
const std::string& referenceArgument(const std::string& text);
// A real calendar day written YYYY-MM-DD. `name` names the argument ("--valid-from").
admin::CalendarDate dateArgument(std::string_view name, const std::string& text);
// A whole number from 1 to 10000 (how many rows a report shows). `name` names the argument.
int limitArgument(std::string_view name, const std::string& text);
// "yes" or "no". `name` names the argument ("--auth-international").
bool yesNoArgument(std::string_view name, const std::string& text);
// Who is told about a tenant's credit, a channel (email:<address>, webhook:<url>, host, or other
// text): 1 to 2000 characters, no control characters (sql/023's limit). Whether the channel's value
// is a good address or URL is the database's to say (creditgate.contact_problem).
const std::string& contactArgument(const std::string& text);
// A tenant's webhook endpoint as listed by creditctl webhook list: its URL, or the contact
// (webhook:<url>), 1 to 2000 characters without control characters. Returns the URL.
std::string webhookUrlArgument(const std::string& text);
// Hours an old webhook signing secret stays valid after a rotation: a whole number from 0 to 720
// (30 days). `name` names the argument ("--overlap-hours").
int overlapHoursArgument(std::string_view name, const std::string& text);
// A market name as in rates show ("Germany", "North America"): 1 to 64 characters, no control
// characters. Whether the database knows it is the database's to say.
const std::string& marketArgument(std::string_view name, const std::string& text);
// The whole content of the input file `path` (at most 16 MiB).
std::string inputFileArgument(const std::string& path);
// An API key's scope: gateway, admin or tenant:<tenant id> (server/auth/scope.hpp). Whether the
// tenant exists is the database's to say.
const std::string& scopeArgument(const std::string& text);
// An API key's label: 1 to 200 characters without control characters.
const std::string& labelArgument(const std::string& text);
// An API key's id: 12 characters a-z or 0-9. A whole key given instead is refused without being
// quoted: its secret must not end up in a terminal's scrollback or a CI log.
const std::string& keyIdArgument(const std::string& text);

// A portal user's email, lowercased: one '@', a dot in the domain, no spaces or control
// characters, at most 254 characters (sql/018's rule).
std::string emailArgument(const std::string& text);
// A portal user's role: admin or tenant:<tenant id>. Whether the tenant exists is the database's
// to say.
const std::string& roleArgument(const std::string& text);

}  // namespace creditgate::ctl
