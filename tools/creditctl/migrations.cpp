#include "migrations.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "fnv1a.hpp"

namespace creditgate::admin {
namespace {

// Any fixed key: runners of every creditgate database in the cluster take turns, which is harmless.
constexpr std::int64_t kMigrationLockKey = 0x6372656469746761;  // "creditga"

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read migration " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string hex(std::uint64_t hash) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

// FNV-1a 64: only detects edits to an applied file; no adversary is involved.
std::string checksum(const std::string& text) {
  return hex(fnv1a(text));
}

// Until sql/015 the runner's FNV-1a had a mistyped offset basis (a digit short). Databases
// migrated then hold checksums made with it: such a record still matches its unedited file, and is
// rewritten to the current checksum the first time it is checked.
std::string legacyChecksum(const std::string& text) {
  return hex(fnv1a(text, 1469598103934665603ULL));
}

}  // namespace

std::vector<MigrationFile> listMigrations(const std::filesystem::path& sql_dir) {
  static const std::regex kName(R"(([0-9]{3})_[a-z0-9_]+\.sql)");
  std::map<int, MigrationFile> by_version;
  if (!std::filesystem::is_directory(sql_dir)) {
    throw std::runtime_error("migration directory " + sql_dir.string() + " does not exist");
  }
  for (const auto& entry : std::filesystem::directory_iterator(sql_dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    const std::string name = entry.path().filename().string();
    std::smatch match;
    if (!std::regex_match(name, match, kName)) {
      throw std::runtime_error("migration file " + name + " is not named NNN_name.sql");
    }
    const int version = std::stoi(match[1].str());
    MigrationFile file{version, name, entry.path()};
    if (auto [it, inserted] = by_version.emplace(version, file); !inserted) {
      throw std::runtime_error("migration version " + match[1].str() + " is used by both " +
                               it->second.name + " and " + name);
    }
  }
  std::vector<MigrationFile> files;
  for (auto& [version, file] : by_version) files.push_back(file);
  return files;
}

std::vector<MigrationOutcome> applyMigrations(pqxx::connection& connection,
                                              const std::filesystem::path& sql_dir) {
  const std::vector<MigrationFile> files = listMigrations(sql_dir);
  {
    pqxx::work setup(connection);
    setup.exec0(
        "CREATE TABLE IF NOT EXISTS public.creditgate_schema_migration ("
        " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    setup.commit();
  }
  // libpqxx allows one transaction object per connection at a time: each step opens its own.
  auto advisoryLock = [&connection](const char* function) {
    pqxx::nontransaction step(connection);
    step.exec_params(std::string("SELECT ") + function + "($1)", kMigrationLockKey);
  };
  advisoryLock("pg_advisory_lock");
  std::vector<MigrationOutcome> outcomes;
  try {
    for (const MigrationFile& file : files) {
      const std::string text = readFile(file.path);
      const std::string sum = checksum(text);
      pqxx::result applied;
      {
        pqxx::nontransaction step(connection);
        applied = step.exec_params(
            "SELECT name, checksum FROM public.creditgate_schema_migration WHERE version = $1",
            file.version);
      }
      if (!applied.empty()) {
        const std::string recorded = applied[0][1].as<std::string>();
        if (recorded != sum && recorded == legacyChecksum(text)) {
          pqxx::nontransaction step(connection);
          step.exec_params0(
              "UPDATE public.creditgate_schema_migration SET checksum = $2 WHERE version = $1",
              file.version, sum);
        } else if (recorded != sum) {
          throw std::runtime_error("migration " + file.name +
                                   " was changed after it was applied (as " +
                                   applied[0][0].as<std::string>() +
                                   "); add a new migration instead of editing an applied one");
        }
        outcomes.push_back({file, false});
        continue;
      }
      try {
        pqxx::work txn(connection);  // one transaction per file: a failed file rolls back alone
        txn.exec0(text);
        txn.exec0("RESET ROLE");  // files run as creditgate_owner; the record is the runner's
        txn.exec_params0(
            "INSERT INTO public.creditgate_schema_migration (version, name, checksum)"
            " VALUES ($1, $2, $3)",
            file.version, file.name, sum);
        txn.commit();
      } catch (const pqxx::sql_error& e) {
        throw std::runtime_error("migration " + file.name + " failed: " + e.what());
      }
      outcomes.push_back({file, true});
    }
  } catch (...) {
    advisoryLock("pg_advisory_unlock");
    throw;
  }
  advisoryLock("pg_advisory_unlock");
  return outcomes;
}

}  // namespace creditgate::admin
