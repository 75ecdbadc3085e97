// Who is calling creditgate-server: the API key of a request's Authorization header, checked
// against the keys creditctl made (creditgate.api_key_digest, sql/017_api_keys.sql), with a cache
// so that most requests never ask the database.
//
// Cache rules (the TTL is the constructor's cache_ttl):
//  - A key the database returned is trusted for the TTL; after it, the next request asks again. A
//    revocation therefore takes effect within the TTL (plus one lookup: while one request refreshes
//    an expired key, others with the same key are served from the entry being refreshed).
//  - An unknown or revoked key id is remembered as unknown for the TTL, so a client retrying a bad
//    key does not reach the database on every request. At most kMaxUnknownKeys such ids are kept
//    (the oldest are forgotten first), so random key ids cannot grow the cache without bound.
//  - A key's secret never changes, so a secret that does not match a cached key is refused at once,
//    fresh entry or expired, without a lookup.
//  - Database unreachable (or failing): a key whose last lookup found it keeps working, however old
//    that lookup, so a gateway keeps deciding through an outage (the plugin journals such
//    decisions); a key never looked up, or last found unknown, gets store_unavailable (the server
//    answers 503, not 401: the key may well be good). Once a lookup succeeds again its answer
//    stands: a key the database no longer returns is refused from then on, never served stale.
//
// Unknown ids cost one lookup each: the cache cannot stop a client that sends ever new random ids;
// limiting requests per client is the HTTP layer's job. Lookups use a pool of kPoolSize
// connections; a request that finds none free within statement_timeout gets store_unavailable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "scope.hpp"

namespace creditgate::server {

struct Caller {
  std::string key_id;  // not secret: fine in logs and metrics
  Scope scope;
};

enum class AuthFailure {
  missing,             // no Authorization header (or an empty one): 401
  malformed,           // not "Bearer cg_<key_id>_<secret>": 401
  unknown_or_revoked,  // no such key, revoked, or the wrong secret (deliberately one answer): 401
  store_unavailable,   // the database could not say, and no lookup had found the key: 503
};

std::string_view authFailureName(AuthFailure failure) noexcept;  // "missing", "malformed", ...

// Why the last key lookup failed: for the server's log and its start-up check.
struct LookupFailure {
  enum class Kind {
    unreachable,  // no answer (down, timed out): keys seen before keep working
    refused,      // the database answered with an error: a login without role creditgate_server,
                  // a schema without sql/017. A configuration mistake, not an outage.
  } kind = Kind::unreachable;
  std::string detail;  // never the DSN or a key
};

class ApiKeyStore {
 public:
  static constexpr std::size_t kMaxUnknownKeys = 10'000;
  static constexpr int kPoolSize = 2;

  // dsn: a login of role creditgate_server (a secret: never logged, never in any message).
  // cache_ttl: how long a looked-up key (or an unknown one) is trusted before asking the database
  // again; revocation takes effect within it. statement_timeout: the longest a lookup may take
  // (also the wait for a free connection); connecting waits at most as long, but never less than
  // libpq's minimum of 2 s. Connects on first use, not here.
  // prepared_statements: false behind a transaction-pooling proxy (pgbouncer pool_mode =
  // transaction): the lookup goes as an unnamed statement and nothing is set on the session at
  // connect, so the login role must carry statement_timeout and lock_timeout.
  ApiKeyStore(std::string dsn, std::chrono::milliseconds cache_ttl,
              std::chrono::milliseconds statement_timeout, bool prepared_statements = true);
  ~ApiKeyStore();
  ApiKeyStore(const ApiKeyStore&) = delete;
  ApiKeyStore& operator=(const ApiKeyStore&) = delete;

  // header: the Authorization header's value ("Bearer cg_..."; the scheme in any case, surrounding
  // spaces ignored), may be empty. Blocking (may query PostgreSQL); thread-safe; never throws;
  // never logs the key.
  std::variant<Caller, AuthFailure> authenticate(std::string_view authorization_header) noexcept;

  // For metrics and tests.
  struct Stats {
    std::uint64_t lookups = 0;         // queries sent to the database
    std::uint64_t failed_lookups = 0;  // of which the database could not answer
    std::uint64_t stale_answers = 0;   // keys served from an expired entry during an outage
    std::size_t cached_keys = 0;       // known keys in the cache
    std::size_t cached_unknown = 0;    // unknown ids in the cache (at most kMaxUnknownKeys)
  };
  Stats stats() const;

  // The last lookup failure, if any lookup failed since the start.
  std::optional<LookupFailure> lastFailure() const;
  // One lookup of an id no key has, now: nullopt when the database answered (found or not).
  std::optional<LookupFailure> probe() noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace creditgate::server
