#include "key_store.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <unordered_map>
#include <utility>

#include "api_key.hpp"
#include "connection_pool.hpp"

namespace creditgate::server {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDigestStatement = "creditgate_api_key_digest";
constexpr const char* kDigestSql = "SELECT secret_sha256, scope FROM creditgate.api_key_digest($1)";

// What the database said about a key id.
struct Lookup {
  enum class Outcome { found, not_found, unavailable };
  Outcome outcome = Outcome::unavailable;
  SecretDigest digest{};
  Scope scope;
};

struct KnownKey {
  SecretDigest digest;
  Scope scope;
  Clock::time_point fetched_at;  // when the lookup that found it started
  bool refreshing = false;       // one request is looking it up again; the others use this entry
};

struct UnknownKey {
  Clock::time_point fetched_at;
  std::list<std::string>::iterator age;  // its place in State::unknown_ages
};

std::string_view trimmed(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

// The credentials of "Bearer <token>": the scheme in any case (RFC 7235 section 2.1), then one or
// more spaces (RFC 6750 section 2.1). nullopt for another scheme or none.
std::optional<std::string_view> bearerToken(std::string_view value) {
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || value[kScheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = value[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) {
      return std::nullopt;
    }
  }
  std::string_view token = value.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

PoolOptions poolOptions(std::string dsn, std::chrono::milliseconds statement_timeout,
                        bool prepared_statements) {
  PoolOptions options;
  options.prepared_statements = prepared_statements;
  options.dsn = std::move(dsn);
  options.size = ApiKeyStore::kPoolSize;
  options.statement_timeout_ms =
      static_cast<int>(std::max<std::int64_t>(1, statement_timeout.count()));
  // Whole seconds, rounded up; libpq reads anything below 2 as 2.
  options.connect_timeout_s =
      static_cast<int>(std::max<std::int64_t>(2, (statement_timeout.count() + 999) / 1000));
  options.application_name = "creditgate-server-auth";
  return options;
}

// A row of api_key_digest. The table's CHECKs make every row usable; one that is not (a scope this
// server cannot read, e.g. from a newer schema) is treated as no key: refusing is the safe answer.
// A libpq error's first line without its "ERROR:  " prefix.
std::string firstLine(std::string_view text) {
  if (text.starts_with("ERROR:")) text.remove_prefix(6);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return std::string(text.substr(0, std::min(text.find('\n'), std::size_t{200})));
}

Lookup lookupFrom(const pqxx::result& rows) {
  Lookup lookup;
  lookup.outcome = Lookup::Outcome::not_found;
  if (rows.empty()) return lookup;
  const pqxx::binarystring digest(rows[0][0]);
  auto scope = parseScope(rows[0][1].as<std::string>());
  if (digest.size() != lookup.digest.size() || !std::holds_alternative<Scope>(scope)) return lookup;
  std::copy(digest.begin(), digest.end(), lookup.digest.begin());
  lookup.scope = std::move(std::get<Scope>(scope));
  lookup.outcome = Lookup::Outcome::found;
  return lookup;
}

}  // namespace

std::string_view authFailureName(AuthFailure failure) noexcept {
  switch (failure) {
    case AuthFailure::missing: return "missing";
    case AuthFailure::malformed: return "malformed";
    case AuthFailure::unknown_or_revoked: return "unknown_or_revoked";
    case AuthFailure::store_unavailable: return "store_unavailable";
  }
  return "unknown";
}

struct ApiKeyStore::State {
  using Answer = std::variant<Caller, AuthFailure>;

  State(std::string dsn, std::chrono::milliseconds cache_ttl,
        std::chrono::milliseconds statement_timeout, bool prepared_statements)
      : ttl(cache_ttl),
        timeout(statement_timeout),
        prepared(prepared_statements),
        pool(poolOptions(std::move(dsn), statement_timeout, prepared_statements),
             [prepared_statements](pqxx::connection& connection) {
               // libpqxx 6.4 prepares on first use: a second round trip on that backend, which
               // a transaction pooler may not give this connection again.
               if (prepared_statements) connection.prepare(kDigestStatement, kDigestSql);
             }) {}

  Answer authenticate(const std::string& key_id, const SecretDigest& digest);
  Lookup lookup(const std::string& key_id) noexcept;
  void noteFailure(LookupFailure::Kind kind, std::string detail);
  // The rest run under `mutex`.
  Answer settle(const std::string& key_id, const SecretDigest& digest, Clock::time_point started,
                bool owned_refresh, Lookup&& found);
  Answer cachedAnswer(const std::string& key_id, const SecretDigest& digest) const;
  bool cachedSince(const std::string& key_id, Clock::time_point started) const;
  void rememberUnknown(const std::string& key_id, Clock::time_point fetched_at);
  void forgetUnknown(const std::string& key_id);

  const Clock::duration ttl;
  const Clock::duration timeout;
  const bool prepared;
  ConnectionPool pool;

  mutable std::mutex mutex;
  std::unordered_map<std::string, KnownKey> known;
  std::unordered_map<std::string, UnknownKey> unknown;
  std::list<std::string> unknown_ages;  // the unknown ids, oldest lookup first
  Stats counters;
  std::optional<LookupFailure> last_failure;
};

ApiKeyStore::State::Answer ApiKeyStore::State::authenticate(const std::string& key_id,
                                                            const SecretDigest& digest) {
  const Clock::time_point started = Clock::now();
  bool owned_refresh = false;
  {
    std::lock_guard lock(mutex);
    // Looking key ids up by hash is not constant time; key ids are not secret, digests are, and
    // those are compared with sameDigest only.
    if (const auto it = known.find(key_id); it != known.end()) {
      KnownKey& entry = it->second;
      if (!sameDigest(entry.digest, digest)) return AuthFailure::unknown_or_revoked;
      if (started - entry.fetched_at < ttl || entry.refreshing) return Caller{key_id, entry.scope};
      entry.refreshing = owned_refresh = true;
    } else if (const auto gone = unknown.find(key_id);
               gone != unknown.end() && started - gone->second.fetched_at < ttl) {
      return AuthFailure::unknown_or_revoked;
    }
  }
  Lookup found = lookup(key_id);  // outside the lock: other keys' requests go on meanwhile
  std::lock_guard lock(mutex);
  return settle(key_id, digest, started, owned_refresh, std::move(found));
}

Lookup ApiKeyStore::State::lookup(const std::string& key_id) noexcept {
  {
    std::lock_guard lock(mutex);
    ++counters.lookups;
  }
  try {
    // A connection that broke (a database restart, a killed backend) is replaced and the lookup,
    // a read, tried once more on the fresh one.
    for (int attempt = 1;; ++attempt) {
      ConnectionPool::Lease lease = pool.acquire(Clock::now() + timeout);
      try {
        pqxx::nontransaction txn(lease.connection());
        return lookupFrom(prepared ? txn.exec_prepared(kDigestStatement, key_id)
                                   : txn.exec_params(kDigestSql, key_id));
      } catch (const pqxx::broken_connection&) {
        lease.discard();
        pool.dropIdle();  // the others were most likely cut off by the same event
        if (attempt == 2) throw;
      }
    }
  } catch (const pqxx::sql_error& e) {
    // Refused: a login without creditgate_server, a schema without sql/017. The database's
    // message names the function or relation, never the DSN; it is kept for lastFailure().
    noteFailure(LookupFailure::Kind::refused,
                "the database refused the key lookup: " + firstLine(e.what()) +
                    namedStatementHint(e.sqlstate(), prepared, "auth.prepared_statements"));
    return Lookup{};
  } catch (const PoolUnavailable& e) {
    noteFailure(LookupFailure::Kind::unreachable, e.what());  // secret-free by contract
    return Lookup{};
  } catch (...) {
    // Unreachable or timed out; a libpq message could hold the host, so it is not kept.
    noteFailure(LookupFailure::Kind::unreachable, "the database did not answer the key lookup");
    return Lookup{};
  }
}

void ApiKeyStore::State::noteFailure(LookupFailure::Kind kind, std::string detail) {
  std::lock_guard lock(mutex);
  ++counters.failed_lookups;
  last_failure = LookupFailure{kind, std::move(detail)};
}

ApiKeyStore::State::Answer ApiKeyStore::State::settle(const std::string& key_id,
                                                      const SecretDigest& digest,
                                                      Clock::time_point started, bool owned_refresh,
                                                      Lookup&& found) {
  const auto entry = known.find(key_id);
  if (owned_refresh && entry != known.end()) entry->second.refreshing = false;

  switch (found.outcome) {
    case Lookup::Outcome::found:
    case Lookup::Outcome::not_found:
      // A lookup that started after this one already answered: its answer is the newer one (this
      // one may have read the key just before it was revoked).
      if (cachedSince(key_id, started)) return cachedAnswer(key_id, digest);
      if (found.outcome == Lookup::Outcome::not_found) {
        if (entry != known.end()) known.erase(entry);
        rememberUnknown(key_id, started);
        return AuthFailure::unknown_or_revoked;
      }
      forgetUnknown(key_id);
      known.insert_or_assign(key_id, KnownKey{found.digest, found.scope, started, false});
      if (!sameDigest(found.digest, digest)) return AuthFailure::unknown_or_revoked;
      return Caller{key_id, std::move(found.scope)};

    case Lookup::Outcome::unavailable:
      if (entry != known.end()) {
        // Found by the last lookup that answered: served stale until the database answers again.
        ++counters.stale_answers;
        return cachedAnswer(key_id, digest);
      }
      if (const auto gone = unknown.find(key_id);
          gone != unknown.end() && Clock::now() - gone->second.fetched_at < ttl) {
        return AuthFailure::unknown_or_revoked;  // another request's lookup just answered
      }
      return AuthFailure::store_unavailable;
  }
  return AuthFailure::store_unavailable;
}

ApiKeyStore::State::Answer ApiKeyStore::State::cachedAnswer(const std::string& key_id,
                                                            const SecretDigest& digest) const {
  const auto entry = known.find(key_id);
  if (entry == known.end() || !sameDigest(entry->second.digest, digest)) {
    return AuthFailure::unknown_or_revoked;
  }
  return Caller{key_id, entry->second.scope};
}

bool ApiKeyStore::State::cachedSince(const std::string& key_id, Clock::time_point started) const {
  if (const auto entry = known.find(key_id); entry != known.end()) {
    return entry->second.fetched_at > started;
  }
  const auto gone = unknown.find(key_id);
  return gone != unknown.end() && gone->second.fetched_at > started;
}

void ApiKeyStore::State::rememberUnknown(const std::string& key_id, Clock::time_point fetched_at) {
  if (const auto gone = unknown.find(key_id); gone != unknown.end()) {
    gone->second.fetched_at = fetched_at;
    unknown_ages.splice(unknown_ages.end(), unknown_ages, gone->second.age);
    return;
  }
  while (unknown.size() >= kMaxUnknownKeys) {
    unknown.erase(unknown_ages.front());
    unknown_ages.pop_front();
  }
  unknown_ages.push_back(key_id);
  unknown.emplace(key_id, UnknownKey{fetched_at, std::prev(unknown_ages.end())});
}

void ApiKeyStore::State::forgetUnknown(const std::string& key_id) {
  if (const auto gone = unknown.find(key_id); gone != unknown.end()) {
    unknown_ages.erase(gone->second.age);
    unknown.erase(gone);
  }
}

ApiKeyStore::ApiKeyStore(std::string dsn, std::chrono::milliseconds cache_ttl,
                         std::chrono::milliseconds statement_timeout, bool prepared_statements)
    : state_(std::make_unique<State>(std::move(dsn), cache_ttl, statement_timeout,
                                     prepared_statements)) {}

ApiKeyStore::~ApiKeyStore() = default;

std::variant<Caller, AuthFailure> ApiKeyStore::authenticate(
    std::string_view authorization_header) noexcept {
  try {
    const std::string_view value = trimmed(authorization_header);
    if (value.empty()) return AuthFailure::missing;
    const std::optional<std::string_view> token = bearerToken(value);
    if (!token) return AuthFailure::malformed;
    const std::optional<ParsedKey> key = parseApiKey(*token);
    if (!key) return AuthFailure::malformed;
    return state_->authenticate(key->key_id, secretDigest(key->secret));
  } catch (...) {
    // std::bad_alloc, or OpenSSL's SHA-256 failing: the key could not be checked.
    return AuthFailure::store_unavailable;
  }
}

std::optional<LookupFailure> ApiKeyStore::lastFailure() const {
  std::lock_guard lock(state_->mutex);
  return state_->last_failure;
}

std::optional<LookupFailure> ApiKeyStore::probe() noexcept {
  try {
    // An id no key has (keys are random; this one is all zeros): only whether the database answers.
    const Lookup found = state_->lookup("000000000000");
    if (found.outcome != Lookup::Outcome::unavailable) return std::nullopt;
    std::lock_guard lock(state_->mutex);
    return state_->last_failure;
  } catch (...) {
    return LookupFailure{LookupFailure::Kind::unreachable, "the key lookup failed"};
  }
}

ApiKeyStore::Stats ApiKeyStore::stats() const {
  std::lock_guard lock(state_->mutex);
  Stats stats = state_->counters;
  stats.cached_keys = state_->known.size();
  stats.cached_unknown = state_->unknown.size();
  return stats;
}

}  // namespace creditgate::server
