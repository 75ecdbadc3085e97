// The migration runner: in order, recorded, a second run is a no-op, an edited file is refused.
#include <gtest/gtest.h>

#include <fstream>

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
