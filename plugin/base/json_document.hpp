// A strict JSON reader for config files that remembers where every value came from, so that an
// error can name the field path, the line and the column. Boost.JSON does the parsing
// (basic_parser); this adds positions and refuses what Boost accepts silently: duplicate keys.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace creditgate {

struct JsonPosition {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in bytes
};

struct JsonNode {
  enum class Kind { null, boolean, integer, number, string, array, object };

  // Declared here, defaulted in the .cpp: an inline implicit destructor makes clang instantiate
  // std::pair<std::string, JsonNode> (in `members`) while JsonNode is still incomplete.
  JsonNode();
  JsonNode(const JsonNode&);
  JsonNode(JsonNode&&) noexcept;
  JsonNode& operator=(const JsonNode&);
  JsonNode& operator=(JsonNode&&) noexcept;
  ~JsonNode();

  Kind kind = Kind::null;
  JsonPosition position;  // where the value starts
  bool boolean = false;
  std::int64_t integer = 0;        // Kind::integer: a JSON number with no fraction or exponent
  std::string text;                // Kind::string: the value; Kind::number: the literal as written
  std::vector<JsonNode> elements;  // Kind::array
  std::vector<std::pair<std::string, JsonNode>> members;  // Kind::object, in file order
  std::vector<JsonPosition> key_positions;                // Kind::object, one per member

  const JsonNode* find(std::string_view key) const noexcept;
};

struct JsonSyntaxError {
  JsonPosition position;
  std::string message;  // e.g. "duplicate key 'dsn'" or "syntax error"
};

std::variant<JsonNode, JsonSyntaxError> parseJsonDocument(std::string_view text);

std::string_view jsonKindName(JsonNode::Kind kind) noexcept;  // "string", "object", ...

}  // namespace creditgate
