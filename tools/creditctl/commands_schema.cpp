// creditctl migrate: applies sql/ with the same runner the tests use.
#include <filesystem>
#include <pqxx/pqxx>
#include <stdexcept>
#include <vector>

#include "commands.hpp"
#include "migrations.hpp"

namespace creditgate::ctl {
namespace {

// The installed SQL when creditctl is installed, else the source tree's (a build-tree run).
std::filesystem::path defaultSqlDir() {
  std::error_code ignored;
  if (std::filesystem::is_directory(CREDITGATE_SQL_DIR, ignored)) return CREDITGATE_SQL_DIR;
  return CREDITGATE_SOURCE_SQL_DIR;
}

}  // namespace

void migrateCommand(const CommandLine& line, Database& database, std::ostream& out) {
  line.allowOnly({"dsn", "sql-dir"});
  line.expectWords(0, "creditctl migrate [--sql-dir DIR]");
  const std::filesystem::path sql_dir = line.option("sql-dir").value_or(defaultSqlDir().string());

  pqxx::connection& connection = database.connection();
  std::vector<admin::MigrationOutcome> outcomes;
  try {
    outcomes = admin::applyMigrations(connection, sql_dir);
  } catch (const pqxx::broken_connection&) {
    throw;  // exit 3, like any lost connection
  } catch (const std::runtime_error& e) {
    throw CommandFailed(firstLine(e.what()));
  }
  for (const auto& outcome : outcomes) {
    out << (outcome.applied_now ? "applied " : "already applied ") << outcome.file.name << '\n';
  }
}

}  // namespace creditgate::ctl
