// parseConfig on arbitrary bytes. Besides not crashing:
//  - an error is printable ASCII with a position (line, column >= 1, or 0 for no position);
//  - an error never echoes the DSN. Checked soundly on a copy of the input whose database.dsn (or a
//    string given as the whole `database`) is replaced by a marker found nowhere else in it: if
//    the marker shows up in the error, the secret would have.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "config.hpp"
#include "fuzz_check.hpp"
#include "json_document.hpp"

namespace {

using creditgate::ConfigError;
using creditgate::JsonNode;
using creditgate::JsonPosition;
using creditgate::fuzz::check;

constexpr std::string_view kMarker = "Zq9fuzzSecretDsnQ9z";

void checkError(const ConfigError& error) {
  const std::string text = error.toString();
  check(creditgate::fuzz::printableAscii(text), "config error is printable ASCII", text);
  check(error.line >= 0 && error.column >= 0, "config error position is not negative", text);
}

// Byte offset of a 1-based (line, column in bytes) position; npos when it is not in `text`.
std::size_t offsetOf(std::string_view text, JsonPosition at) {
  std::size_t offset = 0;
  for (int line = 1; line < at.line; ++line) {
    offset = text.find('\n', offset);
    if (offset == std::string_view::npos) return offset;
    ++offset;
  }
  offset += static_cast<std::size_t>(at.column - 1);
  return offset < text.size() ? offset : std::string_view::npos;
}

// The input with the string value at `at` (its opening quote) replaced by the marker.
std::string withMarker(std::string_view text, JsonPosition at) {
  const std::size_t open = offsetOf(text, at);
  if (open == std::string_view::npos || text[open] != '"') return {};
  std::size_t close = open + 1;
  while (close < text.size() && text[close] != '"') {
    close += text[close] == '\\' ? 2 : 1;
  }
  if (close >= text.size()) return {};
  return std::string(text.substr(0, open + 1)) + std::string(kMarker) +
         std::string(text.substr(close));
}

void checkDsnNeverEchoed(std::string_view text) {
  if (text.find(kMarker) != std::string_view::npos) return;
  const auto document = creditgate::parseJsonDocument(text);
  const auto* root = std::get_if<JsonNode>(&document);
  if (!root || root->kind != JsonNode::Kind::object) return;
  const JsonNode* secret = root->find("database");
  if (secret && secret->kind == JsonNode::Kind::object) secret = secret->find("dsn");
  if (!secret || secret->kind != JsonNode::Kind::string) return;

  const std::string marked = withMarker(text, secret->position);
  check(!marked.empty(), "the dsn string is where its JSON position says");
  const auto result = creditgate::parseConfig(marked);
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    const std::string message = error->toString();
    check(message.find(kMarker) == std::string::npos, "config error does not echo the dsn",
          message);
  } else {
    check(std::get<creditgate::Config>(result).startup.database_dsn == kMarker,
          "the dsn is read as written");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = creditgate::parseConfig(text);
  if (const auto* error = std::get_if<ConfigError>(&result)) checkError(*error);
  checkDsnNeverEchoed(text);
  return 0;
}
