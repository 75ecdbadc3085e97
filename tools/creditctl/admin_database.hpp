// creditctl's one connection, opened on first use. The DSN holds a password, so it never appears in
// any message: a malformed DSN is refused without quoting libpq's parse error (which echoes pieces
// of it), and the password is cut out of any connection error before it is shown.
#pragma once

#include <memory>
#include <optional>
#include <pqxx/connection>  // pqxx::connection is a typedef: it cannot be forward-declared
#include <stdexcept>
#include <string>

namespace pqxx {
class sql_error;
}

namespace creditgate::ctl {

// The database could not be reached (exit 3).
class DatabaseUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  // `dsn`: from --dsn or CREDITGATE_ADMIN_DSN; nullopt when neither was given.
  explicit Database(std::optional<std::string> dsn);
  ~Database();

  // Connects on first use. Throws UsageError (no or malformed DSN) or DatabaseUnreachable.
  pqxx::connection& connection();

 private:
  std::optional<std::string> dsn_;
  std::unique_ptr<pqxx::connection> connection_;
};

// The first line of libpq's or the server's message, without the "ERROR:  " prefix.
std::string firstLine(const std::string& message);
std::string databaseMessage(const pqxx::sql_error& error);

}  // namespace creditgate::ctl
