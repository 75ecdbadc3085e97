#include "json_document.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_set>

#include "quoted_text.hpp"

namespace creditgate {

JsonNode::JsonNode() = default;
JsonNode::JsonNode(const JsonNode&) = default;
JsonNode::JsonNode(JsonNode&&) noexcept = default;
JsonNode& JsonNode::operator=(const JsonNode&) = default;
JsonNode& JsonNode::operator=(JsonNode&&) noexcept = default;
JsonNode::~JsonNode() = default;

namespace {

namespace json = boost::json;

constexpr std::size_t kUnlimited = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxKeyChars = 64;  // of one key in a message, as config.cpp quotes keys

// Follows the bytes handed to the parser and remembers where the latest token began.
// Boost reports a value only once it has seen the byte after it (a number ends at ',' or '}'),
// so the position must come from the bytes, not from when the event fires. For valid JSON a
// token starts at '{', '[', '"', or the first byte of a number/literal run; bytes inside strings
// never start one. Invalid JSON fails in the parser, so the tracker need not judge validity.
class TokenTracker {
 public:
  // Call with each byte just before the parser sees it.
  void advance(char byte) {
    current_ = next_;
    classify(byte);
    if (byte == '\n') {
      ++next_.line;
      next_.column = 1;
    } else {
      ++next_.column;
    }
  }

  JsonPosition tokenStart() const noexcept { return token_start_; }
  JsonPosition current() const noexcept { return current_; }  // the byte last advanced over
  JsonPosition end() const noexcept { return next_; }         // just past the last byte

 private:
  static bool isScalarByte(char byte) noexcept {
    return (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') ||
           (byte >= 'A' && byte <= 'Z') || byte == '-' || byte == '+' || byte == '.';
  }

  void classify(char byte) noexcept {
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (byte == '\\') {
        escaped_ = true;
      } else if (byte == '"') {
        in_string_ = false;
      }
      return;
    }
    const bool scalar = isScalarByte(byte);
    if (byte == '"' || byte == '{' || byte == '[' || (scalar && !in_scalar_)) {
      token_start_ = current_;
    }
    in_string_ = byte == '"';
    in_scalar_ = scalar;
  }

  JsonPosition next_;
  JsonPosition current_;
  JsonPosition token_start_;
  bool in_string_ = false;
  bool escaped_ = false;
  bool in_scalar_ = false;
};

// An array or object under construction, with what is needed to attach its next child.
struct OpenContainer {
  JsonNode node;
  std::string key;  // objects: the key whose value comes next
  JsonPosition key_position;
  std::unordered_set<std::string> seen_keys;  // objects: to refuse duplicates
};

bool hasFractionOrExponent(std::string_view literal) noexcept {
  return literal.find_first_of(".eE") != std::string_view::npos;
}

// The basic_parser handler: builds JsonNode trees with positions taken from the tracker.
class DocumentBuilder {
 public:
  static constexpr std::size_t max_array_size = kUnlimited;
  static constexpr std::size_t max_object_size = kUnlimited;
  static constexpr std::size_t max_string_size = kUnlimited;
  static constexpr std::size_t max_key_size = kUnlimited;

  explicit DocumentBuilder(const TokenTracker& tracker) : tracker_(tracker) {}

  // Set when the builder itself refused the document (duplicate key, integer out of range).
  const std::optional<JsonSyntaxError>& refusal() const noexcept { return refusal_; }
  JsonNode takeRoot() { return std::move(root_); }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code&) { return open(JsonNode::Kind::object); }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_array_begin(json::error_code&) { return open(JsonNode::Kind::array); }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }

  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    text_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view part, std::size_t, json::error_code& ec) {
    text_.append(part.data(), part.size());
    return acceptKey(ec);
  }

  bool on_string_part(json::string_view part, std::size_t, json::error_code&) {
    text_.append(part.data(), part.size());
    return true;
  }
  bool on_string(json::string_view part, std::size_t, json::error_code&) {
    text_.append(part.data(), part.size());
    JsonNode node = startNode(JsonNode::Kind::string);
    node.text = std::move(text_);
    text_.clear();
    return attach(std::move(node));
  }

  bool on_number_part(json::string_view part, json::error_code&) {
    text_.append(part.data(), part.size());
    return true;
  }
  bool on_int64(std::int64_t value, json::string_view, json::error_code&) {
    text_.clear();
    JsonNode node = startNode(JsonNode::Kind::integer);
    node.integer = value;
    return attach(std::move(node));
  }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code& ec) {
    return refuseOutOfRange(ec);  // an integer, but above int64's maximum
  }
  bool on_double(double, json::string_view part, json::error_code& ec) {
    text_.append(part.data(), part.size());
    // Boost falls back to double for integers beyond 64 bits; those are out of range, not numbers.
    if (!hasFractionOrExponent(text_)) {
      return refuseOutOfRange(ec);
    }
    JsonNode node = startNode(JsonNode::Kind::number);
    node.text = std::move(text_);
    text_.clear();
    return attach(std::move(node));
  }

  bool on_bool(bool value, json::error_code&) {
    JsonNode node = startNode(JsonNode::Kind::boolean);
    node.boolean = value;
    return attach(std::move(node));
  }
  bool on_null(json::error_code&) { return attach(startNode(JsonNode::Kind::null)); }

  // Comments are disabled in the parse options, so these never fire.
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  JsonNode startNode(JsonNode::Kind kind) const {
    JsonNode node;
    node.kind = kind;
    node.position = tracker_.tokenStart();
    return node;
  }

  bool open(JsonNode::Kind kind) {
    open_.push_back(OpenContainer{startNode(kind), {}, {}, {}});
    return true;
  }

  bool close() {
    JsonNode node = std::move(open_.back().node);
    open_.pop_back();
    return attach(std::move(node));
  }

  bool attach(JsonNode node) {
    if (open_.empty()) {
      root_ = std::move(node);
      return true;
    }
    OpenContainer& parent = open_.back();
    if (parent.node.kind == JsonNode::Kind::array) {
      parent.node.elements.push_back(std::move(node));
    } else {
      parent.node.members.emplace_back(std::move(parent.key), std::move(node));
      parent.node.key_positions.push_back(parent.key_position);
    }
    return true;
  }

  bool acceptKey(json::error_code& ec) {
    OpenContainer& object = open_.back();
    object.key = std::move(text_);
    text_.clear();
    object.key_position = tracker_.tokenStart();
    if (object.seen_keys.insert(object.key).second) {
      return true;
    }
    return refuse(object.key_position, "duplicate key '" + pathOfPendingKey() + "'", ec);
  }

  // "policy.tenants.acme" for the key just read: the path a config error would name.
  std::string pathOfPendingKey() const {
    std::string path;
    for (const OpenContainer& container : open_) {
      if (container.node.kind == JsonNode::Kind::array) {
        path += '[' + std::to_string(container.node.elements.size()) + ']';
      } else {
        // Keys are untrusted text: escaped and shortened as config errors quote them.
        path += (path.empty() ? "" : ".") + printableText(container.key, kMaxKeyChars);
      }
    }
    return path;
  }

  bool refuseOutOfRange(json::error_code& ec) {
    // The literal is not quoted: it may sit where a secret belongs, and the position suffices.
    return refuse(tracker_.tokenStart(), "integer out of range (must fit in 64-bit signed)", ec);
  }

  bool refuse(JsonPosition position, std::string message, json::error_code& ec) {
    refusal_ = JsonSyntaxError{position, std::move(message)};
    ec = json::error::syntax;  // stops the parser; the message above is what callers see
    return false;
  }

  const TokenTracker& tracker_;
  std::vector<OpenContainer> open_;
  std::string text_;  // the string, key or number literal being assembled from parts
  JsonNode root_;
  std::optional<JsonSyntaxError> refusal_;
};

using DocumentParser = json::basic_parser<DocumentBuilder>;

JsonSyntaxError parseFailure(const DocumentParser& parser, const json::error_code& ec,
                             JsonPosition where) {
  if (parser.handler().refusal()) {
    return *parser.handler().refusal();
  }
  return JsonSyntaxError{where, ec.message()};
}

}  // namespace

const JsonNode* JsonNode::find(std::string_view key) const noexcept {
  for (const auto& member : members) {
    if (member.first == key) {
      return &member.second;
    }
  }
  return nullptr;
}

// Fed one byte at a time so that every event and every error happens at a known byte;
// config files are small, so the cost does not matter.
std::variant<JsonNode, JsonSyntaxError> parseJsonDocument(std::string_view text) {
  TokenTracker tracker;
  DocumentParser parser(json::parse_options{}, tracker);  // defaults: strict JSON, no comments
  json::error_code ec;
  for (const char& byte : text) {
    tracker.advance(byte);
    const std::size_t used = parser.write_some(true, &byte, 1, ec);
    if (ec) {
      return parseFailure(parser, ec, tracker.current());
    }
    if (used == 0) {  // the document was already complete
      return JsonSyntaxError{tracker.current(), "unexpected text after the JSON document"};
    }
  }
  static constexpr char kNoBytes[] = "";
  parser.write_some(false, kNoBytes, 0, ec);
  if (ec) {
    return parseFailure(parser, ec, tracker.end());
  }
  return parser.handler().takeRoot();
}

std::string_view jsonKindName(JsonNode::Kind kind) noexcept {
  switch (kind) {
    case JsonNode::Kind::null: return "null";
    case JsonNode::Kind::boolean: return "boolean";
    case JsonNode::Kind::integer: return "integer";
    case JsonNode::Kind::number: return "number";
    case JsonNode::Kind::string: return "string";
    case JsonNode::Kind::array: return "array";
    case JsonNode::Kind::object: return "object";
  }
  return "unknown";
}

}  // namespace creditgate
