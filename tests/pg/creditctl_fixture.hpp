// Test support: a fresh database with tenant acme (EUR, no credit) and creditctl run as its admin,
// each run kept so that no output, of any run, may show the test logins' password.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "creditctl_runner.hpp"
#include "test_database.hpp"

namespace creditgate::testing {

class CreditctlFixture : public ::testing::Test {
 protected:
  void SetUp() override { db_.addTenant("acme", "EUR", 0); }

  void TearDown() override {
    for (const CtlResult& run : runs_) {
      EXPECT_THAT(run.out + run.err, ::testing::Not(::testing::HasSubstr(kLoginPassword)))
          << "a password was printed";
    }
  }

  CtlResult ctl(const std::vector<std::string>& args, const std::optional<std::string>& dsn) {
    CtlResult run = runCreditctl(args, dsn);
    runs_.push_back(run);
    return run;
  }
  CtlResult admin(const std::vector<std::string>& args) { return ctl(args, db_.adminDsn()); }

  TestDatabase db_;
  std::vector<CtlResult> runs_;
};

}  // namespace creditgate::testing
