// RFC 4180 as rate-card files use it: quoted commas, doubled quotes, newlines inside cells, and the
// physical line each record starts on.
#include "csv_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace creditgate::admin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CsvReader, SplitsQuotedCellsWithCommasQuotesAndNewlines) {
  const auto records = readCsv("a,\"b,c\",\"say \"\"hi\"\"\"\n\"multi\nline\",x\nlast,\n", "f.csv");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[0].cells, ElementsAre("a", "b,c", "say \"hi\""));
  EXPECT_EQ(records[0].line, 1u);
  EXPECT_THAT(records[1].cells, ElementsAre("multi\nline", "x"));
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_THAT(records[2].cells, ElementsAre("last", ""));
  EXPECT_EQ(records[2].line, 4u);
}

TEST(CsvReader, HandlesCrlfAMissingFinalNewlineAndEmptyLines) {
  const auto records = readCsv("a,b\r\n\r\n\"c\r\nd\",e", "f.csv");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_TRUE(records[1].blank());
  EXPECT_THAT(records[2].cells, ElementsAre("c\r\nd", "e"));
  EXPECT_EQ(records[2].line, 3u);
}

TEST(CsvReader, RefusesStrayAndUnclosedQuotesWithTheirLine) {
  EXPECT_THAT([] { readCsv("a,b\nx,ab\"c\n", "f.csv"); },
              ::testing::ThrowsMessage<InputFileError>(HasSubstr("f.csv line 2: a quote inside")));
  EXPECT_THAT([] { readCsv("a,b\nx,\"ab\"c\n", "f.csv"); },
              ::testing::ThrowsMessage<InputFileError>(
                  HasSubstr("f.csv line 2: unexpected text after a closing quote")));
  EXPECT_THAT([] { readCsv("a,b\n\"open\n\n", "f.csv"); },
              ::testing::ThrowsMessage<InputFileError>(
                  HasSubstr("f.csv line 2: a quoted cell is never closed")));
}

}  // namespace
}  // namespace creditgate::admin
