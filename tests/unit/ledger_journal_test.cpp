// The outage journal's records carry a version: this code reads its own (v1) and the first
// journal's records (no "v", a decision as "type": "batch"), and refuses any other version with a
// message naming the file, the line and both versions, so an old or newer journal is never misread.
#include "ledger_journal.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace creditgate {
namespace {

class LedgerJournalFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("creditgate-journal-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  void writeLines(const std::string& text) { std::ofstream(path_) << text; }

  // What opening the journal says, or "" when it opened.
  std::string openingError() {
    try {
      LedgerJournal journal(path_);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  std::string path_;
};

constexpr const char* kRequest =
    R"({"tenant_id":"acme","batch_id":"b1","recipients":["+4915112345678"]})";

TEST_F(LedgerJournalFile, ReadsBackEveryKindItWroteWithItsVersion) {
  {
    LedgerJournal journal(path_);
    LedgerJournal::Entry decision;
    decision.tenant_id = "acme";
    decision.batch_id = "b1";
    decision.currency = "EUR";
    decision.price_micros = 123'456;
    decision.request_json = kRequest;
    ASSERT_TRUE(journal.appendDecision(decision, 1'000'000));
    LedgerJournal::Entry outcomes;
    outcomes.kind = LedgerJournal::Kind::outcomes;
    outcomes.tenant_id = "acme";
    outcomes.batch_id = "b0";
    outcomes.outcomes = {{"+4915112345678", false}};
    journal.append(outcomes);
    LedgerJournal::Entry doubt;
    doubt.kind = LedgerJournal::Kind::doubt;
    doubt.tenant_id = "acme";
    doubt.batch_id = "b2";
    doubt.attempt_id = 42;
    journal.append(doubt);
  }
  std::ifstream in(path_);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first.rfind(R"({"v":1,"type":"decision")", 0), 0u) << first;

  LedgerJournal again(path_);
  const auto pending = again.pending();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].kind, LedgerJournal::Kind::decision);
  EXPECT_EQ(pending[0].price_micros, 123'456);
  EXPECT_EQ(pending[0].batch_id, "b1");
  EXPECT_EQ(again.pendingMicros("acme"), 123'456);
  EXPECT_EQ(pending[1].kind, LedgerJournal::Kind::outcomes);
  ASSERT_EQ(pending[1].outcomes.size(), 1u);
  EXPECT_FALSE(pending[1].outcomes[0].delivered);
  EXPECT_EQ(pending[2].kind, LedgerJournal::Kind::doubt);
  EXPECT_EQ(pending[2].attempt_id, 42);
}

TEST_F(LedgerJournalFile, ReadsTheFirstJournalsRecordsWithoutAVersion) {
  writeLines(std::string(R"({"type":"batch","seq":7,"tenant":"acme","currency":"EUR",)") +
             R"("price":50000,"request":)" + kRequest + "}\n");
  LedgerJournal journal(path_);
  const auto pending = journal.pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].kind, LedgerJournal::Kind::decision);
  EXPECT_EQ(pending[0].seq, 7u);
  EXPECT_EQ(pending[0].batch_id, "b1");
  EXPECT_EQ(journal.pendingMicros("acme"), 50'000);
}

TEST_F(LedgerJournalFile, RefusesANewerRecordVersionNamingTheLineAndBothVersions) {
  writeLines(
      std::string(R"({"v":1,"type":"doubt","seq":1,"tenant":"acme","batch":"b","attempt":3})") +
      "\n" + R"({"v":2,"type":"decision","seq":2,"tenant":"acme"})" + "\n" +
      R"({"v":1,"type":"done","seq":3})" + "\n");
  EXPECT_EQ(openingError(), "outage journal " + path_ +
                                ": line 2 has record version 2, written by another creditgate "
                                "version; this one reads version 1");
}

TEST_F(LedgerJournalFile, RefusesAVersionThatIsNotANumberAsClearly) {
  writeLines(R"({"v":"1","type":"doubt","seq":1,"tenant":"acme","batch":"b","attempt":3})"
             "\n");
  EXPECT_EQ(openingError(), "outage journal " + path_ +
                                R"(: line 1 has record version "1", written by another creditgate )"
                                "version; this one reads version 1");
}

TEST_F(LedgerJournalFile, CutsOffATornLastRecordSoTheNextOneIsNotGluedToIt) {
  const std::string doubt =
      R"({"v":1,"type":"doubt","seq":1,"tenant":"acme","batch":"b","attempt":3})";
  writeLines(doubt + "\n" + R"({"v":1,"type":"dou)");  // a crash mid-append: never acknowledged
  {
    LedgerJournal journal(path_);
    EXPECT_EQ(journal.pending().size(), 1u);
    LedgerJournal::Entry next;
    next.kind = LedgerJournal::Kind::doubt;
    next.tenant_id = "acme";
    next.batch_id = "c";
    next.attempt_id = 4;
    journal.append(next);  // acknowledged: it must come back
  }
  LedgerJournal again(path_);
  const auto pending = again.pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[1].batch_id, "c");
  EXPECT_EQ(pending[1].attempt_id, 4);
}

TEST_F(LedgerJournalFile, RefusesAFinishedLineThatIsNotARecord) {
  writeLines(std::string("not json\n") +
             R"({"v":1,"type":"doubt","seq":1,"tenant":"acme","batch":"b","attempt":3})" + "\n");
  EXPECT_EQ(openingError(), "outage journal " + path_ +
                                ": line 1 is not a journal record; the file was changed by "
                                "something else");
}

}  // namespace
}  // namespace creditgate
