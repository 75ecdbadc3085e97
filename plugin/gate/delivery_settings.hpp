// The relay's channel settings from the config's notifications.email and .webhook sections; the
// SMTP password is read from its file here, at start, so it is never in the config text nor in a
// log.
#pragma once

#include "channel_sender.hpp"
#include "config.hpp"

namespace creditgate {

// Throws std::runtime_error naming the password file (never its content) when it cannot be read.
DeliverySettings deliverySettings(const StartupSettings& startup);

}  // namespace creditgate
