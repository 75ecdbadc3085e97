#include "admin_database.hpp"

#include <libpq-fe.h>

#include <cstring>
#include <pqxx/pqxx>

#include "cli_args.hpp"

namespace creditgate::ctl {
namespace {

// The password of `dsn`, or "" when it has none. Throws UsageError for a DSN libpq cannot parse;
// libpq's own message is dropped on purpose, since it quotes the DSN ("missing "=" after "...").
std::string passwordOf(const std::string& dsn) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &parse_error);
  if (options == nullptr) {
    PQfreemem(parse_error);
    throw UsageError(
        "the DSN is malformed (not shown: it may hold a password); expected e.g. "
        "\"host=db.example dbname=creditgate user=ops\"");
  }
  std::string password;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (std::strcmp(option->keyword, "password") == 0 && option->val != nullptr) {
      password = option->val;
    }
  }
  PQconninfoFree(options);
  return password;
}

std::string withoutSecret(std::string message, const std::string& secret) {
  if (secret.empty()) return message;
  for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
    message.replace(at, secret.size(), "***");
  }
  return message;
}

}  // namespace

Database::Database(std::optional<std::string> dsn) : dsn_(std::move(dsn)) {}

Database::~Database() = default;

pqxx::connection& Database::connection() {
  if (connection_) return *connection_;
  if (!dsn_ || dsn_->empty()) {
    throw UsageError("no database given: pass --dsn DSN or set CREDITGATE_ADMIN_DSN");
  }
  const std::string password = passwordOf(*dsn_);
  try {
    connection_ = std::make_unique<pqxx::connection>(*dsn_);
  } catch (const pqxx::broken_connection& e) {
    throw DatabaseUnreachable("cannot reach the database: " +
                              withoutSecret(firstLine(e.what()), password));
  }
  return *connection_;
}

std::string firstLine(const std::string& message) {
  std::string line = message.substr(0, message.find('\n'));
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (line.starts_with(prefix)) line.erase(0, std::strlen(prefix));
  }
  return line;
}

std::string databaseMessage(const pqxx::sql_error& error) {
  return firstLine(error.what());
}

}  // namespace creditgate::ctl
