// The assigned country calling codes compiled into the plugin, against the data file they are
// generated from (data/itu_calling_codes_2025.csv) and against the market mapping.
#include "calling_codes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "csv_reader.hpp"

namespace creditgate {
namespace {

const std::string kDataDir = CREDITGATE_SOURCE_DIR "/data/";

struct ListedCode {
  std::string code;
  std::string assignment;
  std::string kind;
};

// The rows of data/itu_calling_codes_2025.csv, read by the same CSV reader creditctl uses.
std::vector<ListedCode> ituList() {
  std::vector<ListedCode> codes;
  for (auto& record : admin::readCsvFile(kDataDir + "itu_calling_codes_2025.csv")) {
    if (record.line == 1) {
      EXPECT_EQ(record.cells, (std::vector<std::string>{"code", "assignment", "kind"}));
      continue;
    }
    EXPECT_EQ(record.cells.size(), 3u) << "line " << record.line;
    if (record.cells.size() == 3) {
      codes.push_back({record.cells[0], record.cells[1], record.cells[2]});
    }
  }
  return codes;
}

std::size_t codeLength(const std::string& digits) {
  return assignedCallingCodeLength(digits);
}

TEST(CallingCodes, TheCompiledListIsExactlyTheDataFile) {
  std::set<std::string> in_file;
  for (const ListedCode& listed : ituList()) in_file.insert(listed.code);
  std::set<std::string> compiled;
  for (const std::uint16_t code : assignedCallingCodes()) compiled.insert(std::to_string(code));
  EXPECT_EQ(compiled, in_file);
  EXPECT_EQ(assignedCallingCodes().size(), in_file.size());  // none twice
}

TEST(CallingCodes, FindsEveryListedCodeAtTheStartOfANumber) {
  for (const ListedCode& listed : ituList()) {
    EXPECT_EQ(codeLength(listed.code + "1234567"), listed.code.size())
        << listed.code << " " << listed.assignment;
  }
}

TEST(CallingCodes, ListsOnlyTheFourKindsOfAssignment) {
  const std::set<std::string> kinds = {"geographic area", "global service", "network", "trial"};
  for (const ListedCode& listed : ituList()) {
    EXPECT_TRUE(kinds.contains(listed.kind)) << listed.code << ": '" << listed.kind << "'";
    EXPECT_FALSE(listed.assignment.empty()) << listed.code;
  }
}

TEST(CallingCodes, MarksTheGlobalServicesAndNetworks) {
  std::set<std::string> global;
  for (const ListedCode& listed : ituList()) {
    if (listed.kind != "geographic area") global.insert(listed.code);
  }
  EXPECT_EQ(global, (std::set<std::string>{"800", "808", "870", "878", "881", "882", "883", "888",
                                           "979", "991"}));
}

TEST(CallingCodes, FindsOneTwoAndThreeDigitCodes) {
  EXPECT_EQ(codeLength("12125551234"), 1u);    // United States
  EXPECT_EQ(codeLength("74951234567"), 1u);    // Russia
  EXPECT_EQ(codeLength("4915112345678"), 2u);  // Germany
  EXPECT_EQ(codeLength("224621123456"), 3u);   // Guinea
  EXPECT_EQ(codeLength("80012345678"), 3u);    // International Freephone
}

TEST(CallingCodes, FindsNoCodeForSpareOrReservedOnes) {
  std::vector<std::string> unassigned = {
      "210", "214", "215", "217", "219", "259", "292", "293", "294", "295", "296", "384",
      "388", "422", "424", "429", "671", "684", "809", "851", "854", "857", "871", "874",
      "875", "879", "884", "887", "889", "969", "978", "990", "997", "999"};
  for (int code = 280; code <= 289; ++code) unassigned.push_back(std::to_string(code));
  for (int code = 801; code <= 807; ++code) unassigned.push_back(std::to_string(code));
  for (int code = 693; code <= 699; ++code) unassigned.push_back(std::to_string(code));
  for (int code = 830; code <= 839; ++code) unassigned.push_back(std::to_string(code));
  for (int code = 890; code <= 899; ++code) unassigned.push_back(std::to_string(code));
  for (const std::string& code : unassigned) {
    EXPECT_EQ(codeLength(code + "1234567"), 0u) << code;
  }
}

TEST(CallingCodes, FindsNoCodeInALeadingZeroANonDigitOrTooFewDigits) {
  EXPECT_EQ(codeLength("0491511234567"), 0u);
  EXPECT_EQ(codeLength("4a"), 0u);
  EXPECT_EQ(codeLength(""), 0u);
  EXPECT_EQ(codeLength("22"), 0u);  // the start of 22x, no code yet
  EXPECT_EQ(codeLength("1"), 1u);
  EXPECT_EQ(codeLength("49"), 2u);
}

// Every number the market mapping prices starts with an assigned code: no market row is dead.
TEST(CallingCodes, EveryMarketPrefixStartsWithAnAssignedCode) {
  for (const std::string file : {"market_prefixes_2025.csv", "meta_markets_2025.csv"}) {
    for (auto& record : admin::readCsvFile(kDataDir + file)) {
      if (record.line == 1) continue;
      const std::string& prefix = record.cells.at(0);
      const std::size_t length = codeLength(prefix + "1234567");
      EXPECT_NE(length, 0u) << file << " line " << record.line << ": " << prefix;
    }
  }
}

}  // namespace
}  // namespace creditgate
