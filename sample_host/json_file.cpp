#include "json_file.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sample_gateway {
namespace json = boost::json;

namespace {

// A basic_parser handler that builds nothing and only remembers the keys of every open object,
// so that a repeated key stops the parse at its position.
class DuplicateKeyCheck {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  const std::string& duplicateKey() const { return duplicate_key_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open_objects_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    open_objects_.pop_back();
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
    key_.append(part.data(), part.size());
    return true;
  }
  bool on_key(json::string_view last, std::size_t, json::error_code& ec) {
    key_.append(last.data(), last.size());
    bool inserted = open_objects_.back().insert(key_).second;
    if (!inserted) {
      duplicate_key_ = key_;
      ec = json::error::syntax;  // any error stops the parser; the message is ours
    }
    key_.clear();
    return inserted;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::vector<std::set<std::string>> open_objects_;
  std::string key_;
  std::string duplicate_key_;
};

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open the file");
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw InputError(path.string() + ": cannot read the file");
  return text;
}

std::string position(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::string_view before = text.substr(0, offset);
  auto line = 1 + std::count(before.begin(), before.end(), '\n');
  auto line_start = before.rfind('\n');
  auto column = offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Syntax and duplicate keys first, with positions; the real parse after that cannot fail on syntax.
void checkSyntax(const std::filesystem::path& path, std::string_view text) {
  json::basic_parser<DuplicateKeyCheck> parser{json::parse_options{}};
  json::error_code ec;
  std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec) return;
  const std::string& duplicate = parser.handler().duplicateKey();
  std::string what = duplicate.empty() ? ec.message() : "duplicate key \"" + duplicate + "\"";
  throw InputError(path.string() + ": " + position(text, consumed) + ": " + what);
}

std::string kindName(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a non-integer number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "an unknown value";
}

[[noreturn]] void wrongType(const json::value& value, const std::string& field, const char* want) {
  throw InputError(field + ": expected " + want + ", got " + kindName(value));
}

}  // namespace

json::value readJsonFile(const std::filesystem::path& path) {
  std::string text = readText(path);
  checkSyntax(path, text);
  json::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) throw InputError(path.string() + ": " + ec.message());
  return value;
}

const json::object& requireObject(const json::value& value, const std::string& field) {
  if (!value.is_object()) wrongType(value, field, "an object");
  return value.get_object();
}

const json::array& requireArray(const json::value& value, const std::string& field) {
  if (!value.is_array()) wrongType(value, field, "an array");
  return value.get_array();
}

std::string requireString(const json::value& value, const std::string& field) {
  if (!value.is_string()) wrongType(value, field, "a string");
  return std::string(value.get_string());
}

std::int64_t requireInteger(const json::value& value, const std::string& field, std::int64_t min,
                            std::int64_t max) {
  std::string range = std::to_string(min) + ".." + std::to_string(max);
  bool in_range = false;
  std::int64_t result = 0;
  if (value.is_int64()) {
    result = value.get_int64();
    in_range = result >= min && result <= max;
  } else if (value.is_uint64()) {
    in_range = false;  // beyond int64, so beyond any range we accept
  } else {
    wrongType(value, field, ("an integer " + range).c_str());
  }
  if (!in_range) throw InputError(field + ": " + json::serialize(value) + " is outside " + range);
  return result;
}

void refuseUnknownKeys(const json::object& object, std::initializer_list<std::string_view> known,
                       const std::string& field) {
  for (const auto& member : object) {
    std::string_view key(member.key().data(), member.key().size());
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string expected;
    for (std::string_view name : known) expected += (expected.empty() ? "" : ", ") + std::string(name);
    throw InputError(memberPath(field, key) + ": unknown key (expected one of: " + expected + ")");
  }
}

const json::value& requireMember(const json::object& object, std::string_view key,
                                 const std::string& field) {
  const json::value* member = object.if_contains(json::string_view(key.data(), key.size()));
  if (!member) throw InputError(memberPath(field, key) + ": missing");
  return *member;
}

std::string memberPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

}  // namespace sample_gateway
