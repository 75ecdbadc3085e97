#include "portal_store.hpp"

#include <pqxx/pqxx>

#include "connection_pool.hpp"
#include "pg_array.hpp"

namespace creditgate::server {
namespace {

using Clock = std::chrono::steady_clock;

// The spend page's statement timeout (see PortalStore::spend).
constexpr std::chrono::milliseconds kSpendTimeout{30'000};

// The digest travels as hex text and is decoded by the statement: one parameter type for all.
std::string hex(const SecretDigest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char byte : digest) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
  return out;
}

// A libpq error's first line without its "ERROR:  " prefix, cut short.
std::string firstLine(std::string_view text) {
  if (text.starts_with("ERROR:")) text.remove_prefix(6);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return std::string(text.substr(0, std::min(text.find('\n'), std::size_t{300})));
}

std::optional<std::string> nullableDay(const std::string& day) {
  return day.empty() ? std::nullopt : std::optional<std::string>(day);
}

std::string textOrEmpty(const pqxx::field& field) {
  return field.is_null() ? std::string() : field.as<std::string>();
}

std::vector<std::string> textArray(const pqxx::field& field) {
  std::vector<std::string> out;
  if (field.is_null()) return out;
  auto parser = field.as_array();
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
       item = parser.get_next()) {
    if (item.first == pqxx::array_parser::string_value) out.push_back(item.second);
  }
  return out;
}

// Timestamps as ISO 8601 UTC, whatever the session's TimeZone: the pages say "UTC".
constexpr const char* kIso = "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

std::string iso(const char* column) {
  char text[160];
  std::snprintf(text, sizeof text, kIso, column);
  return text;
}

// How PortalStore::State::run calls: one statement outside a transaction (the default), or a
// transaction, with a statement_timeout of its own instead of the pool's, and/or as a read-only
// snapshot (REPEATABLE READ: a page made of several reads that must agree with each other).
struct RunOptions {
  std::optional<std::chrono::milliseconds> statement_timeout;
  bool snapshot = false;
};

template <typename Transaction, typename Fn>
auto inTransaction(pqxx::connection& connection, Fn& fn,
                   std::optional<std::chrono::milliseconds> statement_timeout) {
  Transaction txn(connection);
  if (statement_timeout) {
    txn.exec("SET LOCAL statement_timeout = " + std::to_string(statement_timeout->count()));
  }
  auto result = fn(txn);
  txn.commit();
  return result;
}

}  // namespace

struct PortalStore::State {
  explicit State(const PortalStoreOptions& options)
      : timeout(options.statement_timeout + std::chrono::seconds(1)),
        pool(
            [&] {
              PoolOptions pool_options;
              pool_options.dsn = options.dsn;
              pool_options.size = options.pool_size;
              pool_options.statement_timeout_ms =
                  static_cast<int>(options.statement_timeout.count());
              pool_options.application_name = "creditgate-portal";
              pool_options.prepared_statements = options.prepared_statements;
              return pool_options;
            }(),
            [](pqxx::connection&) {}) {}

  // One call on a pooled connection: one statement outside a transaction unless `options` ask
  // for one. A read is tried once more on a fresh connection when the first one broke (a database
  // restart); a write is not, since it may have been done.
  template <typename Fn>
  auto run(bool retry, Fn&& fn, RunOptions options = {}) {
    try {
      for (int attempt = 1;; ++attempt) {
        ConnectionPool::Lease lease = pool.acquire(Clock::now() + timeout);
        try {
          if (options.snapshot) {
            return inTransaction<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(
                lease.connection(), fn, options.statement_timeout);
          }
          if (options.statement_timeout) {
            return inTransaction<pqxx::work>(lease.connection(), fn, options.statement_timeout);
          }
          pqxx::nontransaction txn(lease.connection());
          return fn(txn);
        } catch (const pqxx::broken_connection&) {
          lease.discard();
          pool.dropIdle();
          if (!retry || attempt == 2) throw;
        }
      }
    } catch (const pqxx::sql_error& e) {
      const std::string state = e.sqlstate();
      if (state == "42501") throw PortalForbidden(firstLine(e.what()));
      // Data exceptions, integrity violations, RAISE EXCEPTION's defaults (P0001, P0002 "no data",
      // e.g. an unknown tenant), "object in use" and creditgate's own codes (CGLIM a top-up limit,
      // CGCUR an unknown currency): the admin's input was refused, in the database's own words.
      if (state.starts_with("22") || state.starts_with("23") || state.starts_with("P000") ||
          state.starts_with("55") || state.starts_with("CG")) {
        throw PortalRefused(firstLine(e.what()));
      }
      if (state == "57014") throw PortalUnavailable("the database did not answer in time");
      // A missing function (a schema not migrated) or the like: the database answered, and no
      // retry will change it.
      throw PortalMisconfigured("the database refused the portal's query: " + firstLine(e.what()));
    } catch (const PoolUnavailable& e) {
      // cause() is short and secret-free by contract ("authentication failed", "connection
      // refused"); what() speaks of the plugin's ledger, which this is not.
      throw PortalUnavailable(e.timedOut() ? "no database connection became free in time"
                                           : "cannot connect to the database: " + e.cause());
    } catch (const pqxx::failure&) {
      // A libpq message may name the host: not repeated.
      throw PortalUnavailable("the database is not answering");
    }
  }

  const std::chrono::milliseconds timeout;
  ConnectionPool pool;
};

PortalStore::PortalStore(PortalStoreOptions options) : state_(std::make_unique<State>(options)) {}
PortalStore::~PortalStore() = default;

LoginLookup PortalStore::loginLookup(const std::string& email, std::chrono::seconds window) {
  return state_->run(true, [&](pqxx::transaction_base& txn) {
    const pqxx::row row = txn.exec_params1(
        "SELECT password_hash, role, recent_failures FROM creditgate.portal_login_lookup($1, $2)",
        email, static_cast<int>(window.count()));
    LoginLookup lookup;
    if (!row[0].is_null()) lookup.password_hash = row[0].as<std::string>();
    lookup.role = textOrEmpty(row[1]);
    lookup.recent_failures = row[2].as<int>();
    return lookup;
  });
}

void PortalStore::loginFailed(const std::string& email) {
  state_->run(false, [&](pqxx::transaction_base& txn) {
    txn.exec_params("SELECT creditgate.portal_login_failed($1)", email);
    return 0;
  });
}

std::optional<std::string> PortalStore::startSession(const std::string& email,
                                                     const SecretDigest& session,
                                                     std::chrono::seconds idle,
                                                     std::chrono::seconds absolute) {
  return state_->run(false, [&](pqxx::transaction_base& txn) -> std::optional<std::string> {
    const pqxx::result r = txn.exec_params(
        "SELECT role FROM creditgate.portal_session_start($1, decode($2, 'hex'), $3, $4)", email,
        hex(session), static_cast<int>(idle.count()), static_cast<int>(absolute.count()));
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::string>();
  });
}

std::optional<PortalUser> PortalStore::sessionUser(const SecretDigest& session,
                                                   std::chrono::seconds idle) {
  return state_->run(true, [&](pqxx::transaction_base& txn) -> std::optional<PortalUser> {
    const pqxx::result r = txn.exec_params(
        "SELECT email, role FROM creditgate.portal_session_user(decode($1, 'hex'), $2)",
        hex(session), static_cast<int>(idle.count()));
    if (r.empty()) return std::nullopt;
    return PortalUser{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
  });
}

void PortalStore::endSession(const SecretDigest& session) {
  state_->run(false, [&](pqxx::transaction_base& txn) {
    txn.exec_params("SELECT creditgate.portal_session_end(decode($1, 'hex'))", hex(session));
    return 0;
  });
}

int PortalStore::endAllSessions(const SecretDigest& session) {
  return state_->run(false, [&](pqxx::transaction_base& txn) {
    return txn
        .exec_params1("SELECT creditgate.portal_session_end_all(decode($1, 'hex'))",
                      hex(session))[0]
        .as<int>();
  });
}

std::optional<AccountView> PortalStore::account(const SecretDigest& session,
                                                const std::string& tenant) {
  return state_->run(true, [&](pqxx::transaction_base& txn) -> std::optional<AccountView> {
    const pqxx::result r = txn.exec_params(
        "SELECT a.currency, i.minor_units, a.balance_micros, a.spent_today_micros, "
        "a.spent_30_days_micros, i.contacts, " +
            iso("i.created_at") +
            " FROM creditgate.portal_account(decode($1, 'hex'), $2) a "
            "CROSS JOIN creditgate.portal_tenant_info(decode($1, 'hex'), $2) i",
        hex(session), tenant);
    if (r.empty()) return std::nullopt;
    const pqxx::row row = r[0];
    AccountView view;
    view.tenant_id = tenant;
    view.currency = row[0].as<std::string>();
    view.minor_units = row[1].as<int>();
    view.balance_micros = row[2].as<std::int64_t>();
    view.spent_today_micros = row[3].as<std::int64_t>();
    view.spent_30_days_micros = row[4].as<std::int64_t>();
    view.contacts = textArray(row[5]);
    view.created_at = row[6].as<std::string>();
    return view;
  });
}

std::vector<LedgerRow> PortalStore::ledger(const SecretDigest& session, const std::string& tenant,
                                           const std::string& from, const std::string& to,
                                           std::optional<std::int64_t> before_entry, int limit) {
  return state_->run(true, [&](pqxx::transaction_base& txn) {
    std::vector<LedgerRow> rows;
    for (const pqxx::row& row : txn.exec_params(
             "SELECT entry_id, kind, amount_micros, balance_after_micros, batch_id, recipient, "
             "reference, note, " +
                 iso("created_at") +
                 " FROM creditgate.portal_ledger(decode($1, 'hex'), $2, $3::date, $4::date, $5, "
                 "$6)",
             hex(session), tenant, nullableDay(from), nullableDay(to), before_entry, limit)) {
      rows.push_back(LedgerRow{row[0].as<std::int64_t>(), row[1].as<std::string>(),
                               row[2].as<std::int64_t>(), row[3].as<std::int64_t>(),
                               textOrEmpty(row[4]), textOrEmpty(row[5]), textOrEmpty(row[6]),
                               textOrEmpty(row[7]), row[8].as<std::string>()});
    }
    return rows;
  });
}

std::vector<BatchRow> PortalStore::batches(const SecretDigest& session, const std::string& tenant,
                                           const std::string& from, const std::string& to,
                                           const std::string& before_at,
                                           const std::string& before_key, int limit) {
  return state_->run(true, [&](pqxx::transaction_base& txn) {
    std::vector<BatchRow> rows;
    const bool paged = !before_at.empty() && !before_key.empty();
    for (const pqxx::row& row : txn.exec_params(
             "SELECT " + iso("at") +
                 ", to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), key, "
                 "batch_id, campaign_id, template_name, category, decision, reason, "
                 "recipients, recipients_allowed, charged_micros, price_micros::text, "
                 "shortfall_micros::text, balance_after_micros "
                 "FROM creditgate.portal_batches(decode($1, 'hex'), $2, $3::date, $4::date, "
                 "$5::timestamptz, $6, $7)",
             hex(session), tenant, nullableDay(from), nullableDay(to),
             paged ? std::optional<std::string>(before_at) : std::nullopt,
             paged ? std::optional<std::string>(before_key) : std::nullopt, limit)) {
      BatchRow batch;
      batch.at = row[0].as<std::string>();
      batch.cursor_at = row[1].as<std::string>();
      batch.key = row[2].as<std::string>();
      batch.batch_id = row[3].as<std::string>();
      batch.campaign_id = textOrEmpty(row[4]);
      batch.template_name = textOrEmpty(row[5]);
      batch.category = textOrEmpty(row[6]);
      batch.decision = row[7].as<std::string>();
      batch.reason = textOrEmpty(row[8]);
      batch.recipients = row[9].as<int>();
      batch.recipients_allowed = row[10].as<int>();
      batch.charged_micros = row[11].as<std::int64_t>();
      batch.price_micros = textOrEmpty(row[12]);
      if (!row[13].is_null()) batch.shortfall_micros = row[13].as<std::string>();
      batch.balance_after_micros = row[14].as<std::int64_t>();
      rows.push_back(std::move(batch));
    }
    return rows;
  });
}

std::vector<SpendRow> PortalStore::spend(const SecretDigest& session, const std::string& tenant,
                                         const std::string& from, const std::string& to) {
  // The first look at a long period computes and keeps its past days (sql/022): about a second
  // for a year of a busy tenant, once. It gets longer than the other reads, so that a busy machine
  // does not cancel it every time and leave nothing kept; later looks take milliseconds.
  return state_->run(
      true,
      [&](pqxx::transaction_base& txn) {
        std::vector<SpendRow> rows;
        for (const pqxx::row& row : txn.exec_params(
                 "SELECT market, category, recipients, spent_micros "
                 "FROM creditgate.portal_spend(decode($1, 'hex'), $2, $3::date, $4::date)",
                 hex(session), tenant, from, to)) {
          rows.push_back(SpendRow{row[0].as<std::string>(), row[1].as<std::string>(),
                                  row[2].as<std::int64_t>(), row[3].as<std::int64_t>()});
        }
        return rows;
      },
      RunOptions{kSpendTimeout, false});
}

NotificationsPage PortalStore::notifications(const SecretDigest& session, const std::string& tenant,
                                             std::optional<std::int64_t> before_event, int limit) {
  // One snapshot, so that the deliveries, the endpoints and the contacts are those of the events
  // shown (the relay may finish a delivery between two of these reads).
  return state_->run(
      true,
      [&](pqxx::transaction_base& txn) {
        NotificationsPage page;
        const std::string digest = hex(session);
        for (const pqxx::row& row : txn.exec_params(
                 "SELECT event_id, type, " + iso("created_at") + ", " + iso("sent_at") +
                     ", attempts, payload "
                     "FROM creditgate.portal_notifications(decode($1, 'hex'), $2, $3, $4)",
                 digest, tenant, before_event, limit)) {
          NotificationRow n;
          n.event_id = row[0].as<std::int64_t>();
          n.type = row[1].as<std::string>();
          n.created_at = row[2].as<std::string>();
          if (!row[3].is_null()) n.sent_at = row[3].as<std::string>();
          n.attempts = row[4].as<int>();
          n.payload = textOrEmpty(row[5]);
          page.rows.push_back(std::move(n));
        }
        if (!page.rows.empty()) {
          std::vector<std::int64_t> ids;
          for (const NotificationRow& n : page.rows) ids.push_back(n.event_id);
          std::size_t at = 0;  // both lists are by event, newest first
          for (const pqxx::row& row : txn.exec_params(
                   "SELECT event_id, channel, kind, state, attempts, " + iso("last_attempt_at") +
                       ", last_status, last_error, " + iso("delivered_at") + ", " +
                       iso("next_attempt_at") +
                       " FROM creditgate.portal_deliveries(decode($1, 'hex'), $2, $3::bigint[])",
                   digest, tenant, pgBigintArray(ids))) {
            DeliveryRow d;
            d.event_id = row[0].as<std::int64_t>();
            d.channel = textOrEmpty(row[1]);
            d.kind = row[2].as<std::string>();
            d.state = row[3].as<std::string>();
            d.attempts = row[4].as<int>();
            if (!row[5].is_null()) d.last_attempt_at = row[5].as<std::string>();
            if (!row[6].is_null()) d.last_status = row[6].as<int>();
            d.last_error = textOrEmpty(row[7]);
            if (!row[8].is_null()) d.delivered_at = row[8].as<std::string>();
            if (!row[9].is_null()) d.next_attempt_at = row[9].as<std::string>();
            while (at < page.rows.size() && page.rows[at].event_id != d.event_id) ++at;
            if (at == page.rows.size()) break;  // not in the order asked: not guessed at
            page.rows[at].deliveries.push_back(std::move(d));
          }
        }
        // Expiry times as text in the secrets' order ("" for the current one, which has none).
        for (const pqxx::row& row : txn.exec_params(
                 "SELECT url, " + iso("disabled_at") +
                     ", disabled_reason, secrets, "
                     "ARRAY(SELECT coalesce(" +
                     iso("x.at") +
                     ", '') FROM unnest(secret_expires_at) WITH ORDINALITY AS x(at, n) "
                     "ORDER BY x.n) FROM creditgate.portal_webhooks(decode($1, 'hex'), $2)",
                 digest, tenant)) {
          WebhookView w;
          w.url = row[0].as<std::string>();
          if (!row[1].is_null()) w.disabled_at = row[1].as<std::string>();
          w.disabled_reason = textOrEmpty(row[2]);
          const std::vector<std::string> secrets = textArray(row[3]);
          const std::vector<std::string> expiries = textArray(row[4]);
          for (std::size_t i = 0; i < secrets.size(); ++i) {
            WebhookSecretView secret{secrets[i], std::nullopt};
            if (i < expiries.size() && !expiries[i].empty()) secret.expires_at = expiries[i];
            w.secrets.push_back(std::move(secret));
          }
          page.webhooks.push_back(std::move(w));
        }
        const pqxx::result info = txn.exec_params(
            "SELECT contacts FROM creditgate.portal_tenant_info(decode($1, 'hex'), $2)", digest,
            tenant);
        if (!info.empty()) page.contacts = textArray(info[0][0]);
        return page;
      },
      RunOptions{std::nullopt, true});
}

std::vector<TenantRow> PortalStore::tenants(const SecretDigest& session) {
  return state_->run(true, [&](pqxx::transaction_base& txn) {
    std::vector<TenantRow> rows;
    for (const pqxx::row& row : txn.exec_params(
             "SELECT tenant_id, currency, minor_units, balance_micros, spent_today_micros, "
             "contacts, " +
                 iso("created_at") + " FROM creditgate.portal_tenants(decode($1, 'hex'))",
             hex(session))) {
      rows.push_back(TenantRow{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>(),
                               row[3].as<std::int64_t>(), row[4].as<std::int64_t>(),
                               textArray(row[5]), row[6].as<std::string>()});
    }
    return rows;
  });
}

TopUpDone PortalStore::topUp(const SecretDigest& session, const std::string& tenant,
                             std::int64_t amount_micros, const std::string& reference,
                             const std::string& note) {
  // Retried like a read: the reference makes a second attempt harmless (it answers replayed).
  return state_->run(true, [&](pqxx::transaction_base& txn) {
    const pqxx::row row = txn.exec_params1(
        "SELECT entry_id, balance_after_micros, replayed "
        "FROM creditgate.portal_top_up(decode($1, 'hex'), $2, $3, $4, $5)",
        hex(session), tenant, amount_micros, reference,
        note.empty() ? std::nullopt : std::optional<std::string>(note));
    return TopUpDone{row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), row[2].as<bool>()};
  });
}

bool PortalStore::addTenant(const SecretDigest& session, const std::string& tenant,
                            const std::string& currency, const std::string& contact) {
  return state_->run(false, [&](pqxx::transaction_base& txn) {
    // add_tenant's answer: 'created', or 'exists' for a tenant already there in that currency.
    return txn.exec_params1("SELECT creditgate.portal_add_tenant(decode($1, 'hex'), $2, $3, $4)",
                            hex(session), tenant, currency,
                            contact.empty() ? std::nullopt : std::optional<std::string>(contact))[0]
               .as<std::string>() == "created";
  });
}

std::vector<std::string> PortalStore::setContacts(const SecretDigest& session,
                                                  const std::string& tenant,
                                                  const std::vector<std::string>& contacts) {
  std::vector<std::string_view> views(contacts.begin(), contacts.end());
  return state_->run(false, [&](pqxx::transaction_base& txn) {
    return textArray(
        txn.exec_params1("SELECT creditgate.portal_set_contacts(decode($1, 'hex'), $2, $3::text[])",
                         hex(session), tenant, pgTextArray(views))[0]);
  });
}

std::optional<PortalStore::ProbeProblem> PortalStore::probe() {
  try {
    // A digest no session has: answers no row when the functions are there and callable.
    state_->run(true, [&](pqxx::transaction_base& txn) {
      txn.exec_params("SELECT * FROM creditgate.portal_session_user(decode($1, 'hex'), 1)",
                      std::string(64, '0'));
      return 0;
    });
    return std::nullopt;
  } catch (const PortalMisconfigured& e) {
    return ProbeProblem{true, e.what()};
  } catch (const PortalUnavailable& e) {
    return ProbeProblem{false, e.what()};
  } catch (const std::exception& e) {
    return ProbeProblem{true, e.what()};  // the database answered: it refused this login
  }
}

}  // namespace creditgate::server
