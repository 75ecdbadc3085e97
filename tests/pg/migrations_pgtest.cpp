// The migration runner: in order, recorded, a second run is a no-op, an edited file is refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <pqxx/pqxx>

#include "fnv1a.hpp"
#include "migrations.hpp"
#include "test_database.hpp"

namespace creditgate::testing {
namespace {

TEST(MigrationsTest, SecondRunAppliesNothingAndChangesNothing) {
  TestDatabase db;  // the fixture applied everything once
  const auto before = db.queryInt("SELECT count(*) FROM public.creditgate_schema_migration");
  const auto outcomes = admin::applyMigrations(db.connection(), sqlDir());
  ASSERT_EQ(static_cast<std::int64_t>(outcomes.size()), before);
  for (const auto& outcome : outcomes) EXPECT_FALSE(outcome.applied_now) << outcome.file.name;
  EXPECT_EQ(db.queryInt("SELECT count(*) FROM public.creditgate_schema_migration"), before);
}

TEST(MigrationsTest, AppliesFilesInVersionOrder) {
  const auto files = admin::listMigrations(sqlDir());
  ASSERT_GE(files.size(), 6u);
  for (std::size_t i = 1; i < files.size(); ++i) EXPECT_LT(files[i - 1].version, files[i].version);
}

TEST(MigrationsTest, RefusesAnAppliedFileThatWasEditedAndNamesIt) {
  TestDatabase db;
  const auto copy = std::filesystem::temp_directory_path() /
                    ("creditgate-sql-" + std::to_string(::getpid()));
  std::filesystem::remove_all(copy);
  std::filesystem::copy(sqlDir(), copy);
  std::ofstream(copy / "004_money_functions.sql", std::ios::app) << "\n-- edited\n";
  try {
    admin::applyMigrations(db.connection(), copy);
    ADD_FAILURE() << "an edited migration was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("004_money_functions.sql"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(copy);
}

// Databases migrated before the runner's FNV-1a basis was corrected hold checksums made with the
// mistyped basis: an unedited file still matches, and its record is brought up to date.
TEST(MigrationsTest, AcceptsAChecksumRecordedWithTheOldBasisAndRewritesIt) {
  TestDatabase db;
  std::ifstream in(sqlDir() / "004_money_functions.sql", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  char legacy[17], current[17];
  std::snprintf(legacy, sizeof legacy, "%016llx",
                static_cast<unsigned long long>(fnv1a(text, 1469598103934665603ULL)));
  std::snprintf(current, sizeof current, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
  ASSERT_NE(std::string(legacy), std::string(current));
  db.exec("UPDATE public.creditgate_schema_migration SET checksum = '" + std::string(legacy) +
          "' WHERE version = 4");

  const auto outcomes = admin::applyMigrations(db.connection(), sqlDir());
  for (const auto& outcome : outcomes) EXPECT_FALSE(outcome.applied_now) << outcome.file.name;
  pqxx::nontransaction txn(db.connection());
  EXPECT_EQ(
      txn.exec1("SELECT checksum FROM public.creditgate_schema_migration WHERE version = 4")[0]
          .as<std::string>(),
      current);
}

TEST(MigrationsTest, RefusesAFileNotNamedByTheConvention) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("creditgate-badsql-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "7_oops.sql") << "SELECT 1;";
  EXPECT_THROW(admin::listMigrations(dir), std::runtime_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace creditgate::testing
