// The hint a named-statement error gets while prepared statements are on: the usual cause is a
// transaction-pooling proxy (pgbouncer pool_mode = transaction) between us and PostgreSQL.
#include <gtest/gtest.h>

#include "connection_pool.hpp"

namespace creditgate {
namespace {

TEST(NamedStatementHint, NamesTheSettingForPreparedStatementErrorsWhenTheyAreOn) {
  const std::string expected =
      "; behind a transaction-pooling proxy such as pgbouncer, set database.prepared_statements "
      "to false";
  // 26000 invalid_sql_statement_name: "prepared statement ... does not exist".
  EXPECT_EQ(namedStatementHint("26000", true, "database.prepared_statements"), expected);
  // 42P05 duplicate_prepared_statement: "prepared statement ... already exists".
  EXPECT_EQ(namedStatementHint("42P05", true, "database.prepared_statements"), expected);
  EXPECT_EQ(namedStatementHint("26000", true, "auth.prepared_statements"),
            "; behind a transaction-pooling proxy such as pgbouncer, set auth.prepared_statements "
            "to false");
}

TEST(NamedStatementHint, SaysNothingForOtherErrorsOrWhenTheyAreOff) {
  EXPECT_EQ(namedStatementHint("26000", false, "database.prepared_statements"), "");
  EXPECT_EQ(namedStatementHint("42P05", false, "database.prepared_statements"), "");
  EXPECT_EQ(namedStatementHint("23505", true, "database.prepared_statements"), "");
  EXPECT_EQ(namedStatementHint("", true, "database.prepared_statements"), "");
}

}  // namespace
}  // namespace creditgate
