// Where a tenant's notices go: one contact of its list, naming its channel. The rule is the one
// contact_problem applies when contacts are written (sql/023_notification_delivery.sql); change
// both together:
//
//   email:<address>   the address as email_address.hpp allows it (ASCII name@domain, at most 254)
//   webhook:<url>     "https://" or "http://" (lower case), then the authority up to the first
//                     '/', '?' or '#': not empty and without '@' (no user name or password); no
//                     whitespace, control character or any of " < > \ ^ ` { | } anywhere; the
//                     whole contact at most 2000 characters. http:// only to 127.0.0.1, localhost
//                     or [::1] (a port allowed), for local receivers and tests
//   host, host:<text> the host's notify(), with the text (or nothing) as its address
//   anything else     the host's notify() with the contact as it is: free text stored before
//                     channels existed ("ops@acme.example") is handed on as before
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace creditgate {

inline constexpr std::size_t kMaxContactLength = 2000;  // characters, as PostgreSQL counts them

struct Channel {
  enum class Kind { email, webhook, host };
  Kind kind = Kind::host;
  std::string address;  // the email address, the URL, or the host's text ("" for "host")
};

// nullopt only for an "email:" or "webhook:" contact whose value breaks the rule above.
std::optional<Channel> parseChannel(std::string_view contact);

// For logs: "email:ops@acme.example", "webhook:https://hooks.acme.example:8443/credit" (never the
// query, which may carry a token, nor a fragment), "host", "host:<text>"; untrusted bytes are shown
// as printableText does.
std::string describeChannel(const Channel& channel);

}  // namespace creditgate
