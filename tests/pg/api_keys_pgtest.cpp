// API keys end to end: creditctl apikey (the real binary, as an admin) makes, lists and revokes
// them; creditgate-server's ApiKeyStore (server/auth/key_store.hpp), logged in as a member of
// creditgate_server, checks them against the real database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "api_key.hpp"
#include "creditctl_fixture.hpp"
#include "creditctl_runner.hpp"
#include "fake_host.hpp"
#include "key_store.hpp"
#include "tcp_proxy.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

using server::ApiKeyStore;
using server::AuthFailure;
using server::Caller;
using server::Scope;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr auto kTtl = 200ms;
constexpr auto kStatementTimeout = 2000ms;

std::string bearer(const std::string& key) {
  return "Bearer " + key;
}

// What authenticate answered, as text for readable failures: "caller <id> <scope>" or the failure.
std::string answer(const std::variant<Caller, AuthFailure>& result) {
  if (const auto* caller = std::get_if<Caller>(&result)) {
    return "caller " + caller->key_id + " " + server::scopeText(caller->scope);
  }
  return std::string(server::authFailureName(std::get<AuthFailure>(result)));
}

std::string base64(const std::string& bytes, bool url, bool padded) {
  const char* alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(n >> shift) & 63];
  }
  if (bytes.size() - i == 2) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += alphabet[(n >> shift) & 63];
    if (padded) out += '=';
  } else if (bytes.size() - i == 1) {
    const auto n = static_cast<unsigned char>(bytes[i]) << 16;
    for (int shift : {18, 12}) out += alphabet[(n >> shift) & 63];
    if (padded) out += "==";
  }
  return out;
}

// The 32 bytes a secret encodes (base64url without padding).
std::string secretBytes(const std::string& secret) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string bytes;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : secret) {
    buffer = (buffer << 6) | static_cast<unsigned>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}

std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char byte : bytes) out += {kHex[byte >> 4], kHex[byte & 0xf]};
  return out;
}

class ApiKeysTest : public CreditctlFixture {
 protected:
  // creditctl apikey add; the key it printed.
  std::string addKey(const std::string& scope, const std::optional<std::string>& label = {}) {
    std::vector<std::string> args = {"apikey", "add", "--scope", scope};
    if (label) args.insert(args.end(), {"--label", *label});
    const CtlResult run = admin(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::smatch match;
    if (!std::regex_search(run.out, match, std::regex("cg_[a-z0-9]{12}_[A-Za-z0-9_-]{43}"))) {
      ADD_FAILURE() << "no key in: " << run.out;
      return "";
    }
    return match.str();
  }

  static std::string keyIdOf(const std::string& key) {
    const auto parsed = server::parseApiKey(key);
    return parsed ? parsed->key_id : "(no key)";
  }

  // CREDITGATE_TEST_UNPREPARED=1 (tests/pgbouncer/run.sh): as creditgate-server with
  // auth.prepared_statements = false, behind a transaction-pooling proxy.
  std::unique_ptr<ApiKeyStore> store(std::chrono::milliseconds ttl = kTtl) {
    return std::make_unique<ApiKeyStore>(db_.serverDsn(), ttl, kStatementTimeout,
                                         !testUnprepared());
  }
};

TEST_F(ApiKeysTest, AddPrintsTheKeyOnceAndItAuthenticatesWithItsScope) {
  const CtlResult run = admin({"apikey", "add", "--scope", "gateway", "--label", "ci gateway"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(run.out, match, std::regex("cg_[a-z0-9]{12}_[A-Za-z0-9_-]{43}")))
      << run.out;
  const std::string key = match.str();
  const std::string key_id = keyIdOf(key);
  EXPECT_THAT(run.out, HasSubstr("API key " + key_id +
                                 " created: scope gateway, label "
                                 "'ci gateway'\n"));
  EXPECT_THAT(run.out, HasSubstr("it cannot be shown again"));
  EXPECT_EQ(run.err, "");

  const auto keys = store();
  EXPECT_EQ(answer(keys->authenticate(bearer(key))), "caller " + key_id + " gateway");
  EXPECT_EQ(answer(keys->authenticate("bearer   " + key + "  ")), "caller " + key_id + " gateway");

  const std::string tenant_key = addKey("tenant:acme");
  const auto result = keys->authenticate(bearer(tenant_key));
  ASSERT_TRUE(std::holds_alternative<Caller>(result)) << answer(result);
  EXPECT_EQ(std::get<Caller>(result).scope, Scope::tenant("acme"));
  EXPECT_TRUE(
      server::permits(std::get<Caller>(result).scope, server::Action::read_balance, "acme"));

  const std::string admin_key = addKey("admin");
  EXPECT_EQ(answer(keys->authenticate(bearer(admin_key))),
            "caller " + keyIdOf(admin_key) + " admin");
}

TEST_F(ApiKeysTest, WithoutPreparedStatementsKeysAreCheckedByAnUnnamedStatement) {
  // auth.prepared_statements = false (behind pgbouncer in transaction pooling): the same answers.
  const std::string good = addKey("gateway");
  const std::string unknown = server::generateApiKey().text;
  ApiKeyStore keys(db_.serverDsn(), kTtl, kStatementTimeout, false);
  EXPECT_EQ(answer(keys.authenticate(bearer(good))), "caller " + keyIdOf(good) + " gateway");
  EXPECT_EQ(answer(keys.authenticate(bearer(unknown))), "unknown_or_revoked");
  EXPECT_EQ(keys.stats().failed_lookups, 0u);
  EXPECT_FALSE(keys.probe().has_value());
}

TEST_F(ApiKeysTest, AddWithJsonGivesTheKeyAndANotice) {
  const CtlResult run = admin({"apikey", "add", "--scope", "tenant:acme", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const boost::json::object json = boost::json::parse(run.out).as_object();
  const std::string key(json.at("key").as_string());
  const auto parsed = server::parseApiKey(key);
  ASSERT_TRUE(parsed) << run.out;
  EXPECT_EQ(json.at("key_id").as_string(), parsed->key_id);
  EXPECT_EQ(json.at("scope").as_string(), "tenant:acme");
  EXPECT_TRUE(json.at("label").is_null());
  EXPECT_THAT(std::string(json.at("notice").as_string()), HasSubstr("cannot be shown again"));
  EXPECT_THAT(std::string(json.at("created_at").as_string()), ::testing::EndsWith("Z"));
  EXPECT_EQ(answer(store()->authenticate(bearer(key))),
            "caller " + parsed->key_id + " tenant:acme");
}

TEST_F(ApiKeysTest, ListShowsEveryKeyButNoSecretNorDigest) {
  const std::string gateway = addKey("gateway", "ci gateway");
  const std::string tenant = addKey("tenant:acme");
  ASSERT_EQ(admin({"apikey", "revoke", keyIdOf(tenant)}).exit_code, 0);

  const CtlResult text = admin({"apikey", "list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("API keys: 2 (1 active, 1 revoked)\n"));
  EXPECT_THAT(text.out, HasSubstr("KEY ID"));
  EXPECT_THAT(text.out, HasSubstr(keyIdOf(gateway) + "  gateway      ci gateway"));
  EXPECT_THAT(text.out, HasSubstr(keyIdOf(tenant) + "  tenant:acme  -"));

  const CtlResult json_run = admin({"apikey", "list", "--json"});
  ASSERT_EQ(json_run.exit_code, 0) << json_run.err;
  const boost::json::object json = boost::json::parse(json_run.out).as_object();
  EXPECT_EQ(json.at("count").as_int64(), 2);
  EXPECT_EQ(json.at("revoked").as_int64(), 1);
  const boost::json::array& keys = json.at("keys").as_array();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].at("key_id").as_string(), keyIdOf(gateway));
  EXPECT_EQ(keys[0].at("label").as_string(), "ci gateway");
  EXPECT_TRUE(keys[0].at("revoked_at").is_null());
  EXPECT_TRUE(keys[0].at("active").as_bool());
  EXPECT_EQ(keys[1].at("scope").as_string(), "tenant:acme");
  EXPECT_FALSE(keys[1].at("revoked_at").is_null());
  EXPECT_FALSE(keys[1].at("active").as_bool());

  for (const std::string& key : {gateway, tenant}) {
    const std::string secret = server::parseApiKey(key)->secret;
    const server::SecretDigest digest = server::secretDigest(secret);
    const std::string digest_hex =
        hex(std::string(reinterpret_cast<const char*>(digest.data()), digest.size()));
    for (const std::string& out : {text.out, text.err, json_run.out, json_run.err}) {
      EXPECT_THAT(out, Not(HasSubstr(secret)));
      EXPECT_THAT(out, Not(HasSubstr(secret.substr(0, 16))));
      EXPECT_THAT(out, Not(HasSubstr(digest_hex.substr(0, 16))));
    }
  }
}

TEST_F(ApiKeysTest, TheDatabaseHoldsOnlyTheSecretsDigest) {
  const std::string key = addKey("gateway", "ci");
  const std::string secret = server::parseApiKey(key)->secret;
  const std::string raw = secretBytes(secret);
  ASSERT_EQ(raw.size(), 32u);
  ASSERT_EQ(base64(raw, true, false), secret);  // the decoding above is right

  pqxx::nontransaction txn(db_.connection());
  // Every column of every row as text (bytea as \x hex), and the digest in every other encoding.
  const pqxx::result rows = txn.exec(
      "SELECT t::text, encode(t.secret_sha256, 'escape'), encode(t.secret_sha256, 'base64') "
      "FROM creditgate.api_key t");
  ASSERT_EQ(rows.size(), 1u);
  const std::vector<std::string> forbidden = {
      secret,
      key,
      base64(raw, false, true),   // the secret's bytes in standard base64
      base64(raw, false, false),  //
      hex(raw),                   // ... in hex
      hex(secret),                // the secret's text in hex
  };
  for (const auto& field : rows[0]) {
    const std::string stored = field.as<std::string>();
    for (const std::string& text : forbidden) {
      EXPECT_THAT(stored, Not(HasSubstr(text))) << field.name();
      EXPECT_THAT(stored, Not(HasSubstr(text.substr(0, 12)))) << field.name();
    }
  }
  // What is there is SHA-256 of the secret's text.
  EXPECT_TRUE(txn.exec_params1("SELECT secret_sha256 = sha256(convert_to($1, 'UTF8')) FROM "
                               "creditgate.api_key",
                               secret)[0]
                  .as<bool>());
}

TEST_F(ApiKeysTest, ARevokedKeyIsRefusedOnceTheCacheTtlHasPassed) {
  const std::string key = addKey("gateway");
  const std::string key_id = keyIdOf(key);
  const auto keys = store();
  const auto slow = store(60s);  // a TTL no test run outlasts
  ASSERT_EQ(answer(keys->authenticate(bearer(key))), "caller " + key_id + " gateway");
  ASSERT_EQ(answer(slow->authenticate(bearer(key))), "caller " + key_id + " gateway");

  const CtlResult revoke = admin({"apikey", "revoke", key_id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_THAT(revoke.out, HasSubstr("API key " + key_id + " (scope gateway) revoked at "));

  // Within the TTL the cached answer stands (that is what the TTL means)...
  EXPECT_EQ(answer(slow->authenticate(bearer(key))), "caller " + key_id + " gateway");
  std::this_thread::sleep_for(kTtl + 100ms);
  // ... past it the database is asked again, and the key is refused from then on.
  EXPECT_EQ(answer(keys->authenticate(bearer(key))), "unknown_or_revoked");
  EXPECT_EQ(answer(keys->authenticate(bearer(key))), "unknown_or_revoked");
  // A fresh store never accepts it.
  EXPECT_EQ(answer(store()->authenticate(bearer(key))), "unknown_or_revoked");

  const CtlResult again = admin({"apikey", "revoke", key_id});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("was already revoked at "));
  EXPECT_THAT(again.out, HasSubstr("(nothing changed)"));
}

TEST_F(ApiKeysTest, AWrongSecretForAKnownIdIsRefusedCachedOrNot) {
  const std::string key = addKey("admin");
  const std::string key_id = keyIdOf(key);
  const std::string wrong = "cg_" + key_id + "_" + server::generateApiKey().secret;

  EXPECT_EQ(answer(store()->authenticate(bearer(wrong))), "unknown_or_revoked");  // uncached

  const auto keys = store();
  ASSERT_EQ(answer(keys->authenticate(bearer(key))), "caller " + key_id + " admin");
  const auto lookups = keys->stats().lookups;
  EXPECT_EQ(answer(keys->authenticate(bearer(wrong))), "unknown_or_revoked");  // cached
  std::this_thread::sleep_for(kTtl + 50ms);
  EXPECT_EQ(answer(keys->authenticate(bearer(wrong))), "unknown_or_revoked");  // expired
  EXPECT_EQ(keys->stats().lookups, lookups) << "a wrong secret for a cached key asked the database";
  EXPECT_EQ(answer(keys->authenticate(bearer(key))), "caller " + key_id + " admin");
}

TEST_F(ApiKeysTest, AnUnknownIdIsRefusedAndRememberedForTheTtl) {
  const auto keys = store();
  const std::string unknown = server::generateApiKey().text;
  EXPECT_EQ(answer(keys->authenticate(bearer(unknown))), "unknown_or_revoked");
  EXPECT_EQ(keys->stats().lookups, 1u);
  EXPECT_EQ(answer(keys->authenticate(bearer(unknown))), "unknown_or_revoked");
  EXPECT_EQ(keys->stats().lookups, 1u) << "an unknown id asked the database again within the TTL";
  EXPECT_EQ(keys->stats().cached_unknown, 1u);
  std::this_thread::sleep_for(kTtl + 50ms);
  EXPECT_EQ(answer(keys->authenticate(bearer(unknown))), "unknown_or_revoked");
  EXPECT_EQ(keys->stats().lookups, 2u);
}

TEST_F(ApiKeysTest, TheUnknownIdCacheIsBounded) {
  const auto keys = store(60s);
  const std::size_t count = ApiKeyStore::kMaxUnknownKeys + 100;
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < count; ++i) unknown.push_back(server::generateApiKey().text);
  for (const std::string& key : unknown) {
    ASSERT_EQ(answer(keys->authenticate(bearer(key))), "unknown_or_revoked");
  }
  ApiKeyStore::Stats stats = keys->stats();
  EXPECT_EQ(stats.lookups, count);
  EXPECT_EQ(stats.cached_unknown, ApiKeyStore::kMaxUnknownKeys);
  // The newest are remembered, the oldest forgotten.
  EXPECT_EQ(answer(keys->authenticate(bearer(unknown.back()))), "unknown_or_revoked");
  EXPECT_EQ(keys->stats().lookups, count);
  EXPECT_EQ(answer(keys->authenticate(bearer(unknown.front()))), "unknown_or_revoked");
  EXPECT_EQ(keys->stats().lookups, count + 1);
  EXPECT_EQ(keys->stats().cached_unknown, ApiKeyStore::kMaxUnknownKeys);
}

TEST_F(ApiKeysTest, AnUnreachableDatabaseIsStoreUnavailableNotARefusal) {
  // Nothing listens on port 1 of the loopback: connecting is refused.
  ApiKeyStore keys(
      "host=127.0.0.1 port=1 dbname=creditgate user=server password=" + std::string(kSentinel),
      kTtl, kStatementTimeout);
  const std::string key = server::generateApiKey().text;
  EXPECT_EQ(answer(keys.authenticate(bearer(key))), "store_unavailable");
  EXPECT_EQ(answer(keys.authenticate(bearer(key))), "store_unavailable");  // not cached as unknown
  EXPECT_EQ(keys.stats().failed_lookups, 2u);
  // What never needs the database is still answered.
  EXPECT_EQ(answer(keys.authenticate("")), "missing");
  EXPECT_EQ(answer(keys.authenticate("Bearer cg_short")), "malformed");
}

TEST_F(ApiKeysTest, AKnownKeyKeepsWorkingThroughAnOutageAndARevocationCountsOnceItEnds) {
  TcpProxy proxy(pooledPort());  // in front of the pgbouncer in tests/pgbouncer/run.sh
  ApiKeyStore keys(db_.serverDsn() + " port=" + std::to_string(proxy.port()), kTtl, 1000ms,
                   !testUnprepared());
  const std::string key = addKey("gateway");
  const std::string key_id = keyIdOf(key);
  const std::string never_seen = addKey("gateway");
  ASSERT_EQ(answer(keys.authenticate(bearer(key))), "caller " + key_id + " gateway");

  proxy.setMode(TcpProxy::Mode::refuse);
  std::this_thread::sleep_for(kTtl + 50ms);
  // Expired and the database unreachable: the key last found is served; one never looked up cannot
  // be vouched for either way.
  EXPECT_EQ(answer(keys.authenticate(bearer(key))), "caller " + key_id + " gateway");
  EXPECT_GE(keys.stats().stale_answers, 1u);
  EXPECT_EQ(answer(keys.authenticate(bearer(never_seen))), "store_unavailable");
  // A wrong secret is still refused: a key's secret never changes.
  EXPECT_EQ(
      answer(keys.authenticate(bearer("cg_" + key_id + "_" + server::generateApiKey().secret))),
      "unknown_or_revoked");

  // Revoked during the outage: refused at the first lookup that gets through.
  ASSERT_EQ(admin({"apikey", "revoke", key_id}).exit_code, 0);
  EXPECT_EQ(answer(keys.authenticate(bearer(key))), "caller " + key_id + " gateway");
  proxy.setMode(TcpProxy::Mode::forward);
  EXPECT_EQ(answer(keys.authenticate(bearer(key))), "unknown_or_revoked");
  EXPECT_EQ(answer(keys.authenticate(bearer(never_seen))),
            "caller " + keyIdOf(never_seen) + " gateway");
  proxy.setMode(TcpProxy::Mode::refuse);
  std::this_thread::sleep_for(kTtl + 50ms);
  EXPECT_EQ(answer(keys.authenticate(bearer(key))), "store_unavailable")
      << "a key the database said was revoked came back during an outage";
}

TEST_F(ApiKeysTest, ManyThreadsGetTheRightAnswers) {
  const std::string good = addKey("gateway");
  const std::string other = addKey("tenant:acme");
  const std::string wrong = "cg_" + keyIdOf(good) + "_" + server::generateApiKey().secret;
  const std::string unknown = server::generateApiKey().text;
  const auto keys = store(5ms);  // short: lookups, refreshes and cache hits all happen at once
  std::atomic<int> mistakes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        switch ((i + t) % 4) {
          case 0:
            mistakes +=
                answer(keys->authenticate(bearer(good))) != "caller " + keyIdOf(good) + " gateway";
            break;
          case 1:
            mistakes += answer(keys->authenticate(bearer(other))) !=
                        "caller " + keyIdOf(other) + " tenant:acme";
            break;
          case 2:
            mistakes += answer(keys->authenticate(bearer(wrong))) != "unknown_or_revoked";
            break;
          case 3:
            mistakes += answer(keys->authenticate(bearer(unknown))) != "unknown_or_revoked";
            break;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mistakes.load(), 0);
  EXPECT_EQ(keys->stats().failed_lookups, 0u);
}

TEST_F(ApiKeysTest, AScopeNamingAnUnknownTenantIsRefusedNamingIt) {
  const CtlResult run = admin({"apikey", "add", "--scope", "tenant:ghost"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err,
            "creditctl: --scope 'tenant:ghost' names an unknown tenant 'ghost' (creditctl tenant "
            "add creates it)\n");
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(db_.count("api_key"), 0);
}

TEST_F(ApiKeysTest, BadArgumentsAreRefusedBeforeTouchingTheDatabase) {
  // The DSN points nowhere: exit 2 (not 3) proves the check ran before any connection.
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"apikey", "add", "--scope", "root"},
            "--scope 'root' must be gateway, admin or tenant:<tenant id>"},
           {{"apikey", "add", "--scope", "tenant:ac me"},
            "--scope 'tenant:ac me' names no valid tenant: the tenant id 'ac me' has a space or "
            "non-printable character"},
           {{"apikey", "add", "--scope", "tenant:"}, "the tenant id '' is empty"},
           {{"apikey", "add"}, "--scope"},
           {{"apikey", "add", "--scope", "admin", "--label", ""}, "--label '' must be 1 to 200"},
           {{"apikey", "add", "--scope", "admin", "--label", "a\nb"}, "--label 'a\\x0ab'"},
           {{"apikey", "revoke", "ABC"}, "KEY_ID 'ABC' must be 12 characters a-z or 0-9"},
           {{"apikey", "revoke"}, "creditctl apikey revoke KEY_ID"},
           {{"apikey", "list", "extra"}, "creditctl apikey list [--json]"},
       }) {
    const CtlResult run = ctl(args, kUnreachableDsn);
    EXPECT_EQ(run.exit_code, 2) << args.back() << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(message));
    EXPECT_EQ(run.out, "");
  }
}

TEST_F(ApiKeysTest, RevokeNeverEchoesAWholeKeyGivenInsteadOfItsId) {
  // A secret starting with '-' would be read as an option (1 in 32): this test wants a word.
  std::string key = addKey("gateway");
  while (server::parseApiKey(key)->secret.starts_with('-')) key = addKey("gateway");
  const std::string secret = server::parseApiKey(key)->secret;
  for (const std::string& argument : {key, secret}) {
    const CtlResult run = admin({"apikey", "revoke", argument});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, HasSubstr("KEY_ID"));
    EXPECT_THAT(run.out + run.err, Not(HasSubstr(secret.substr(0, 12))));
  }
  EXPECT_EQ(answer(store()->authenticate(bearer(key))), "caller " + keyIdOf(key) + " gateway");

  const CtlResult unknown = admin({"apikey", "revoke", "unknownid012"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "creditctl: unknown API key id 'unknownid012' (creditctl apikey list)\n");
}

TEST_F(ApiKeysTest, TheHelpListsTheApiKeyCommands) {
  const CtlResult run = ctl({"--help"}, std::nullopt);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("creditctl apikey add --scope SCOPE [--label TEXT] [--json]"));
  EXPECT_THAT(run.out, HasSubstr("creditctl apikey list [--json]"));
  EXPECT_THAT(run.out, HasSubstr("creditctl apikey revoke KEY_ID"));
}

}  // namespace
}  // namespace creditgate::testing
