// The billing portal's only way into PostgreSQL: the functions of sql/019-023, called as the
// portal's login (role creditgate_portal), which may call nothing else. Every read names the
// session's token digest with the tenant, and the database decides what that session may see: a
// tenant the session may not see reads exactly like one that does not exist (nullopt, or no rows).
//
// Calls block (a worker thread's); each takes one pooled connection for one statement (or, for a
// page made of several reads, one read-only snapshot). Failures
// are thrown as the three kinds a page must tell apart (below).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "api_key.hpp"
#include "portal_rows.hpp"

namespace creditgate::server {

// The database is down, slow or refused the login: the page says to retry. what() holds no DSN.
class PortalUnavailable : public std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The database answered but cannot serve the portal as configured (a schema without the portal's
// functions): a page says to retry like PortalUnavailable, and the probe at start says why.
class PortalMisconfigured : public PortalUnavailable {
  using PortalUnavailable::PortalUnavailable;
};
// The session may not do this (an admin action from a tenant session, or a session that ended
// meanwhile).
class PortalForbidden : public std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The database refused the input (an unknown currency, a reference reused with another amount,
// a top-up over the limit): what() is the database's message, written for the admin.
class PortalRefused : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LoginLookup {
  std::optional<std::string> password_hash;  // nullopt: no enabled user has this email
  std::string role;
  int recent_failures = 0;
};

struct PortalStoreOptions {
  std::string dsn;  // a login of role creditgate_portal; secret, never logged
  int pool_size = 4;
  std::chrono::milliseconds statement_timeout{2000};
  // False behind a transaction-pooling proxy: no session settings at connect (the portal prepares
  // nothing either way; its per-call timeouts are SET LOCAL, which pooling keeps).
  bool prepared_statements = true;
};

class PortalStore {
 public:
  explicit PortalStore(PortalStoreOptions options);
  ~PortalStore();
  PortalStore(const PortalStore&) = delete;
  PortalStore& operator=(const PortalStore&) = delete;

  // Sessions and logins (sql/019).
  LoginLookup loginLookup(const std::string& email, std::chrono::seconds window);
  void loginFailed(const std::string& email);
  // The role, or nullopt when the user was disabled meanwhile.
  std::optional<std::string> startSession(const std::string& email, const SecretDigest& session,
                                          std::chrono::seconds idle, std::chrono::seconds absolute);
  std::optional<PortalUser> sessionUser(const SecretDigest& session, std::chrono::seconds idle);
  void endSession(const SecretDigest& session);
  int endAllSessions(const SecretDigest& session);

  // Tenant reads (sql/020, sql/021). Dates are "YYYY-MM-DD" UTC days, inclusive; "" is open.
  std::optional<AccountView> account(const SecretDigest& session, const std::string& tenant);
  std::vector<LedgerRow> ledger(const SecretDigest& session, const std::string& tenant,
                                const std::string& from, const std::string& to,
                                std::optional<std::int64_t> before_entry, int limit);
  std::vector<BatchRow> batches(const SecretDigest& session, const std::string& tenant,
                                const std::string& from, const std::string& to,
                                const std::string& before_at, const std::string& before_key,
                                int limit);
  std::vector<SpendRow> spend(const SecretDigest& session, const std::string& tenant,
                              const std::string& from, const std::string& to);
  // A page of events with their deliveries (sql/023), the webhook endpoints with their secrets
  // and the contacts, read in one snapshot.
  NotificationsPage notifications(const SecretDigest& session, const std::string& tenant,
                                  std::optional<std::int64_t> before_event, int limit);

  // Admin (sql/021): PortalForbidden for any session that is not an admin's.
  std::vector<TenantRow> tenants(const SecretDigest& session);
  TopUpDone topUp(const SecretDigest& session, const std::string& tenant,
                  std::int64_t amount_micros, const std::string& reference,
                  const std::string& note);
  // true: created; false: a tenant with this id and currency was there already.
  bool addTenant(const SecretDigest& session, const std::string& tenant,
                 const std::string& currency, const std::string& contact);
  std::vector<std::string> setContacts(const SecretDigest& session, const std::string& tenant,
                                       const std::vector<std::string>& contacts);

  // Whether the database answers as the portal's login (startup check): nullopt, or what is wrong
  // and whether the database itself refused (a login without the role, a schema not migrated) or
  // could not be reached.
  struct ProbeProblem {
    bool refused = false;
    std::string detail;
  };
  std::optional<ProbeProblem> probe();

  struct State;  // the pool; in portal_store.cpp

 private:
  std::unique_ptr<State> state_;
};

}  // namespace creditgate::server
