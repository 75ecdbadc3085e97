// Tells systemd what the server is doing, for a unit of Type=notify (packaging/systemd/): ready
// once it listens (so `systemctl start` returns, and units ordered after it start, only when
// requests can be answered), reloading and ready again around a SIGHUP reload, stopping at SIGTERM.
// STATUS= is what `systemctl status` shows: never a DSN or anything else from a config that may be
// secret.
//
// Without NOTIFY_SOCKET in the environment (started by hand, by a test, by another supervisor) each
// call does nothing.
#pragma once

#include <cstdint>
#include <string>

namespace creditgate::server {

// READY=1 with STATUS=`status`: the listener is open and the "listening on" line is printed.
void notifyReady(const std::string& status);

// RELOADING=1 (with MONOTONIC_USEC=, which newer systemd asks of a reload): a SIGHUP reload begins.
void notifyReloading();

// READY=1 with STATUS= saying how the reload ended: the generation in force, or that it was
// refused.
void notifyReloaded(bool applied, std::uint64_t generation, bool restart_required);

// STOPPING=1: a stop begins (requests in flight are answered for up to limits.shutdown_grace_ms).
void notifyStopping();

}  // namespace creditgate::server
