// Why a ledger call failed, in two registers: a short cause that is safe to show a host or a tenant
// (a verdict's detail never carries driver or SQL text), and the full first line for the log
// (libpq's messages name host and port, never the password).
#pragma once

#include <stdexcept>
#include <string>

namespace creditgate {

class LedgerError : public std::runtime_error {
 public:
  enum class Kind {
    unavailable,  // could not connect, or the call failed before its request could reach the server
    timeout,      // the deadline passed (waiting for a connection, a lock or the statement); the
                  // statement was cancelled and rolled back, or never sent
    in_doubt,     // the request may have reached the server, and its answer was lost: the work may
                  // or may not have happened
    rejected,     // the database refused the call (a bug on our side: bad arguments, privileges)
  };

  // `cause`: e.g. "connection refused", "authentication failed"; `log_line`: what() for the log.
  LedgerError(Kind kind, std::string cause, const std::string& log_line)
      : std::runtime_error(log_line), kind_(kind), cause_(std::move(cause)) {}
  // For errors of our own making, whose text is safe to show.
  LedgerError(Kind kind, const std::string& cause) : LedgerError(kind, cause, cause) {}

  Kind kind() const noexcept { return kind_; }
  const std::string& cause() const noexcept { return cause_; }

 private:
  Kind kind_;
  std::string cause_;
};

// "unavailable", "timeout", "in_doubt", "rejected": the kind as metrics label it.
const char* ledgerErrorKindName(LedgerError::Kind kind) noexcept;

// The short cause of a failed connection, from libpq's message: "authentication failed",
// "connection refused", "connect timeout", ... or "cannot connect". Never echoes the message.
std::string connectionFailureCause(const std::string& libpq_message);

}  // namespace creditgate
