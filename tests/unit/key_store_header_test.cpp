// ApiKeyStore's reading of the Authorization header (server/auth/key_store.hpp): what is missing or
// malformed is answered without the database (the store here points at a closed port, and counts
// its lookups). The lookups themselves are tested against PostgreSQL in
// tests/pg/api_keys_pgtest.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "api_key.hpp"
#include "key_store.hpp"

namespace creditgate::server {
namespace {

using namespace std::chrono_literals;

AuthFailure failureOf(ApiKeyStore& store, std::string_view header) {
  const auto result = store.authenticate(header);
  EXPECT_TRUE(std::holds_alternative<AuthFailure>(result)) << header;
  return std::holds_alternative<AuthFailure>(result) ? std::get<AuthFailure>(result)
                                                     : AuthFailure::store_unavailable;
}

class KeyStoreHeaderTest : public ::testing::Test {
 protected:
  // Nothing listens on port 1 of the loopback; the store connects only for a lookup.
  ApiKeyStore store_{"host=127.0.0.1 port=1 dbname=none user=none", 1000ms, 1000ms};
  const std::string key_ = generateApiKey().text;
};

TEST_F(KeyStoreHeaderTest, AnEmptyOrBlankHeaderIsMissing) {
  for (const char* header : {"", " ", "\t ", "  \t"}) {
    EXPECT_EQ(failureOf(store_, header), AuthFailure::missing) << '"' << header << '"';
  }
  EXPECT_EQ(store_.stats().lookups, 0u);
}

TEST_F(KeyStoreHeaderTest, AnythingButBearerWithAWellFormedKeyIsMalformed) {
  const std::string cases[] = {
      key_,                                                    // no scheme
      "Bearer",                                                // no credentials
      "Bearer ",                                               //
      "Bearer  ",                                              //
      "Basic " + key_,                                         // another scheme
      "Bearer:" + key_,                                        // no space
      "Bearer\t" + key_,                                       // a tab is no separator here
      "Bearers " + key_,                                       //
      "Bearer " + key_ + " " + key_,                           // two keys
      "Bearer " + key_ + "x",                                  // one character too many
      "Bearer " + key_.substr(1),                              // one too few
      "Bearer x" + key_.substr(1),                             // another prefix
      "Bearer cg_",                                            //
      "Bearer " + key_.substr(0, 15) + "." + key_.substr(16),  // no '_' after the id
  };
  for (const std::string& header : cases) {
    EXPECT_EQ(failureOf(store_, header), AuthFailure::malformed) << header;
  }
  EXPECT_EQ(store_.stats().lookups, 0u);
}

TEST_F(KeyStoreHeaderTest, TheSchemeIsCaseInsensitiveAndSurroundingSpacesDoNotCount) {
  // Well-formed, so each is looked up: the closed port makes that store_unavailable.
  for (const std::string& header :
       {"Bearer " + key_, "bearer " + key_, "BEARER " + key_, "  Bearer   " + key_ + " \t"}) {
    EXPECT_EQ(failureOf(store_, header), AuthFailure::store_unavailable) << header;
  }
  EXPECT_EQ(store_.stats().lookups, 4u);
  EXPECT_EQ(store_.stats().failed_lookups, 4u);
  EXPECT_EQ(store_.stats().cached_unknown, 0u);  // "could not say" is not "unknown"
}

TEST(AuthFailureName, NamesEveryFailure) {
  EXPECT_EQ(authFailureName(AuthFailure::missing), "missing");
  EXPECT_EQ(authFailureName(AuthFailure::malformed), "malformed");
  EXPECT_EQ(authFailureName(AuthFailure::unknown_or_revoked), "unknown_or_revoked");
  EXPECT_EQ(authFailureName(AuthFailure::store_unavailable), "store_unavailable");
}

}  // namespace
}  // namespace creditgate::server
