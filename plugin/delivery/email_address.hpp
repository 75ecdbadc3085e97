// What an email address may be, for the email: channel (channel.hpp) and a mail's From and To
// (email_message.hpp): an ASCII addr-spec without quoting, comments or an IP literal, which every
// SMTP server takes and nothing can hide a second address or a header in. The same rule as
// contact_problem in sql/023_notification_delivery.sql; change both together:
//
//   ^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?
//    (\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$          and at most 254 characters
//
// A single-label domain ("creditgate@localhost") is allowed: local relays use them.
#pragma once

#include <cstddef>
#include <string_view>

namespace creditgate {

inline constexpr std::size_t kMaxEmailAddressLength = 254;

bool isEmailAddress(std::string_view address) noexcept;

}  // namespace creditgate
