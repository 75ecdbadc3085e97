// The migration runner: applies sql/NNN_name.sql files in order, each in its own transaction, and
// records what it applied, so running it twice is a no-op and an edited, already-applied file is
// refused instead of silently diverging from what the database holds.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <pqxx/connection>  // pqxx::connection is a typedef: it cannot be forward-declared

namespace creditgate::admin {

struct MigrationFile {
  int version = 0;
  std::string name;  // file name, e.g. "004_money_functions.sql"
  std::filesystem::path path;
};

struct MigrationOutcome {
  MigrationFile file;
  bool applied_now = false;  // false: it was applied by an earlier run
};

// The migration files of `sql_dir`, in version order. Throws std::runtime_error for a file name that
// does not follow NNN_name.sql or a version used twice.
std::vector<MigrationFile> listMigrations(const std::filesystem::path& sql_dir);

// Applies the pending migrations. Needs a role that may create roles and schemas (a superuser or the
// database owner with CREATEROLE). Concurrent runners serialise on an advisory lock.
// Throws std::runtime_error naming the file on any failure; earlier files stay applied.
std::vector<MigrationOutcome> applyMigrations(pqxx::connection& connection,
                                              const std::filesystem::path& sql_dir);

}  // namespace creditgate::admin
