#include "json_document.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>

namespace creditgate {
namespace {

using Kind = JsonNode::Kind;

JsonNode parsed(std::string_view text) {
  auto result = parseJsonDocument(text);
  if (const auto* error = std::get_if<JsonSyntaxError>(&result)) {
    ADD_FAILURE() << "refused at " << error->position.line << ":" << error->position.column << ": "
                  << error->message << "\n" << text;
    return {};
  }
  return std::get<JsonNode>(std::move(result));
}

JsonSyntaxError refused(std::string_view text) {
  auto result = parseJsonDocument(text);
  if (!std::holds_alternative<JsonSyntaxError>(result)) {
    ADD_FAILURE() << "accepted:\n" << text;
    return {};
  }
  return std::get<JsonSyntaxError>(result);
}

void expectAt(const JsonPosition& position, int line, int column) {
  EXPECT_EQ(position.line, line);
  EXPECT_EQ(position.column, column);
}

TEST(JsonDocument, ParsesEveryKindOfValue) {
  const JsonNode root = parsed(
      R"({"s": "text", "i": -42, "n": 2.5e1, "t": true, "f": false, "z": null, "a": [1, "x"], "o": {}})");
  ASSERT_EQ(root.kind, Kind::object);
  ASSERT_EQ(root.members.size(), 8u);
  EXPECT_EQ(root.find("s")->kind, Kind::string);
  EXPECT_EQ(root.find("s")->text, "text");
  EXPECT_EQ(root.find("i")->kind, Kind::integer);
  EXPECT_EQ(root.find("i")->integer, -42);
  EXPECT_EQ(root.find("n")->kind, Kind::number);
  EXPECT_EQ(root.find("n")->text, "2.5e1");
  EXPECT_EQ(root.find("t")->kind, Kind::boolean);
  EXPECT_TRUE(root.find("t")->boolean);
  EXPECT_FALSE(root.find("f")->boolean);
  EXPECT_EQ(root.find("z")->kind, Kind::null);
  ASSERT_EQ(root.find("a")->elements.size(), 2u);
  EXPECT_EQ(root.find("a")->elements[1].text, "x");
  EXPECT_EQ(root.find("o")->kind, Kind::object);
  EXPECT_EQ(root.find("missing"), nullptr);
}

TEST(JsonDocument, KeepsMembersInFileOrder) {
  const JsonNode root = parsed(R"({"b": 1, "a": 2, "c": 3})");
  ASSERT_EQ(root.members.size(), 3u);
  EXPECT_EQ(root.members[0].first, "b");
  EXPECT_EQ(root.members[1].first, "a");
  EXPECT_EQ(root.members[2].first, "c");
  EXPECT_EQ(root.key_positions.size(), 3u);
}

TEST(JsonDocument, RecordsWhereEachValueAndKeyStarts) {
  const JsonNode root = parsed(
      "{\n"
      "  \"name\": \"acme\",\n"        // line 2
      "  \"count\":   -17,\n"          // line 3
      "  \"list\": [true, 1.5e3,\n"    // line 4
      "\tnull],\n"                     // line 5: a tab is one byte
      "  \"nested\": {\"k\": {}}\n"    // line 6
      "}");
  expectAt(root.position, 1, 1);
  expectAt(root.key_positions[0], 2, 3);
  expectAt(root.find("name")->position, 2, 11);
  expectAt(root.key_positions[1], 3, 3);
  expectAt(root.find("count")->position, 3, 14);
  const JsonNode& list = *root.find("list");
  expectAt(list.position, 4, 11);
  expectAt(list.elements[0].position, 4, 12);
  expectAt(list.elements[1].position, 4, 18);
  expectAt(list.elements[2].position, 5, 2);
  const JsonNode& nested = *root.find("nested");
  expectAt(nested.position, 6, 13);
  expectAt(nested.key_positions[0], 6, 14);
  expectAt(nested.find("k")->position, 6, 19);
}

TEST(JsonDocument, CountsColumnsInBytesAfterEscapesAndMultibyteText) {
  // "é" is two bytes; the escaped quote and brackets inside the string start no token.
  const JsonNode root = parsed(R"({"a": "é\"{[\u0041", "b": 7})");
  EXPECT_EQ(root.find("a")->text, "é\"{[A");
  expectAt(root.key_positions[1], 1, 23);
  expectAt(root.find("b")->position, 1, 28);
}

TEST(JsonDocument, AcceptsATopLevelScalarAndSurroundingWhitespace) {
  const JsonNode root = parsed("  \n  12  \n");
  EXPECT_EQ(root.kind, Kind::integer);
  EXPECT_EQ(root.integer, 12);
  expectAt(root.position, 2, 3);
}

TEST(JsonDocument, ReadsTheFullInt64Range) {
  EXPECT_EQ(parsed("9223372036854775807").integer, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parsed("-9223372036854775808").integer, std::numeric_limits<std::int64_t>::min());
}

TEST(JsonDocument, KeepsFractionsAndExponentsAsLiteralText) {
  for (const std::string_view literal : {"0.1", "1e3", "-2E-2", "1.0", "12345678901234567890.5"}) {
    const JsonNode node = parsed(literal);
    EXPECT_EQ(node.kind, Kind::number) << literal;
    EXPECT_EQ(node.text, literal);
  }
}

TEST(JsonDocument, AllowsTheSameKeyInDifferentObjects) {
  const JsonNode root = parsed(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]})");
  EXPECT_EQ(root.find("b")->find("x")->integer, 2);
}

struct Refusal {
  std::string_view name;
  std::string_view text;
  int line;
  int column;
  std::string_view message;  // a part of the message
};

void PrintTo(const Refusal& refusal, std::ostream* out) { *out << refusal.name; }

class JsonDocumentRefusal : public ::testing::TestWithParam<Refusal> {};

// Found by fuzz/config_fuzz: a duplicate key was echoed raw, so a control byte (or DEL) in a key
// reached the log line. The path is escaped and each key shortened, as config errors quote keys.
TEST(JsonDocument, DuplicateKeyMessageIsPrintableAsciiAndShortened) {
  const JsonSyntaxError raw_del = refused("{\"db\": {\"po\x7fl\": 1, \"po\x7fl\": 2}}");
  EXPECT_EQ(raw_del.message, "duplicate key 'db.po\\x7fl'");

  const JsonSyntaxError escaped = refused(R"({"a\u001b[2J": {}, "a\u001b[2J": {}})");
  EXPECT_EQ(escaped.message, "duplicate key 'a\\x1b[2J'");

  const std::string long_key(10'000, 'k');
  const JsonSyntaxError long_one =
      refused("{\"" + long_key + "\": 1, \"" + long_key + "\": 2}");
  EXPECT_EQ(long_one.message, "duplicate key '" + std::string(64, 'k') + "...'");
}

TEST_P(JsonDocumentRefusal, ReportsWhereAndWhy) {
  const Refusal& expected = GetParam();
  const JsonSyntaxError error = refused(expected.text);
  EXPECT_EQ(error.position.line, expected.line) << error.message;
  EXPECT_EQ(error.position.column, expected.column) << error.message;
  EXPECT_NE(error.message.find(expected.message), std::string::npos) << error.message;
}

INSTANTIATE_TEST_SUITE_P(
    JsonDocument, JsonDocumentRefusal,
    ::testing::Values(
        Refusal{"DuplicateTopLevelKey", "{\"a\": 1,\n \"a\": 2}", 2, 2, "duplicate key 'a'"},
        Refusal{"DuplicateNestedKey", "{\"a\": {\"b\": {\"c\": 1, \"c\": 2}}}", 1, 22,
                "duplicate key 'a.b.c'"},
        Refusal{"DuplicateKeyInsideArrayElement", "{\"list\": [{}, {\"k\": 1, \"k\": 1}]}", 1, 24,
                "duplicate key 'list[1].k'"},
        Refusal{"DuplicateKeyThatDiffersOnlyInEscaping", R"({"ab": 1, "a\u0062": 2})", 1, 11,
                "duplicate key 'ab'"},
        Refusal{"MissingComma", "{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, "syntax error"},
        Refusal{"TrailingComma", "{\"a\": 1,}", 1, 9, "syntax error"},
        Refusal{"MisspelledLiteral", "[true,\n  nul1]", 2, 6, "syntax error"},
        Refusal{"SingleQuotes", "{'a': 1}", 1, 2, "syntax error"},
        Refusal{"Comment", "{\n  // why\n  \"a\": 1\n}", 2, 3, "syntax error"},
        Refusal{"LeadingZero", "[01]", 1, 3, "syntax error"},
        Refusal{"RawNewlineInString", "[\"a\nb\"]", 1, 4, "syntax error"},
        Refusal{"UnterminatedObject", "{\"a\": 1\n", 2, 1, "incomplete"},
        Refusal{"EmptyInput", "", 1, 1, "incomplete"},
        Refusal{"TrailingGarbage", "{\"a\": 1}\n  x", 2, 3, "after the JSON document"},
        Refusal{"SecondDocument", "{} {}", 1, 4, "after the JSON document"},
        Refusal{"IntegerAboveInt64", "{\"a\":\n  9223372036854775808}", 2, 3, "out of range"},
        Refusal{"IntegerBelowInt64", "[-9223372036854775809]", 1, 2, "out of range"},
        Refusal{"IntegerBeyondUint64", "[1, 99999999999999999999999]", 1, 5, "out of range"}),
    [](const ::testing::TestParamInfo<Refusal>& info) { return std::string(info.param.name); });

TEST(JsonDocument, NamesEveryKind) {
  EXPECT_EQ(jsonKindName(Kind::null), "null");
  EXPECT_EQ(jsonKindName(Kind::boolean), "boolean");
  EXPECT_EQ(jsonKindName(Kind::integer), "integer");
  EXPECT_EQ(jsonKindName(Kind::number), "number");
  EXPECT_EQ(jsonKindName(Kind::string), "string");
  EXPECT_EQ(jsonKindName(Kind::array), "array");
  EXPECT_EQ(jsonKindName(Kind::object), "object");
}

}  // namespace
}  // namespace creditgate
