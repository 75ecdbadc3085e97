#include "quote_gate.hpp"

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <variant>

#include "arguments.hpp"
#include "config.hpp"
#include "credit_gate.hpp"
#include "csv_reader.hpp"  // InputFileError
#include "database.hpp"
#include "json_document.hpp"

namespace creditgate::ctl {
namespace {

void serialize(const JsonNode& node, std::string& out) {
  switch (node.kind) {
    case JsonNode::Kind::null: out += "null"; return;
    case JsonNode::Kind::boolean: out += node.boolean ? "true" : "false"; return;
    case JsonNode::Kind::integer: out += std::to_string(node.integer); return;
    case JsonNode::Kind::number: out += node.text; return;
    case JsonNode::Kind::string:
      out += boost::json::serialize(boost::json::value(node.text));
      return;
    case JsonNode::Kind::array:
      out += '[';
      for (std::size_t i = 0; i < node.elements.size(); ++i) {
        if (i > 0) out += ',';
        serialize(node.elements[i], out);
      }
      out += ']';
      return;
    case JsonNode::Kind::object:
      out += '{';
      for (std::size_t i = 0; i < node.members.size(); ++i) {
        if (i > 0) out += ',';
        out += boost::json::serialize(boost::json::value(node.members[i].first));
        out += ':';
        serialize(node.members[i].second, out);
      }
      out += '}';
      return;
  }
}

// The member `key` of `object`, added as an empty object when missing.
JsonNode& objectMember(JsonNode& object, std::string_view key) {
  for (auto& [name, value] : object.members) {
    if (name == key) return value;
  }
  JsonNode added;
  added.kind = JsonNode::Kind::object;
  object.members.emplace_back(std::string(key), std::move(added));
  object.key_positions.emplace_back();
  return object.members.back().second;
}

// A file only this user can read (it holds the DSN), removed when the gate has read it.
class PrivateFile {
 public:
  explicit PrivateFile(const std::string& content) {
    path_ = (std::filesystem::temp_directory_path() / "creditctl-quote-XXXXXX.json").string();
    const int fd = ::mkstemps(path_.data(), 5);  // mode 0600
    if (fd < 0) throw std::runtime_error("cannot create a temporary copy of the plugin config");
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (written != content.size()) {
      std::remove(path_.c_str());
      throw std::runtime_error("cannot write a temporary copy of the plugin config");
    }
  }
  ~PrivateFile() { std::remove(path_.c_str()); }
  PrivateFile(const PrivateFile&) = delete;
  PrivateFile& operator=(const PrivateFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

void StderrHost::log(api::LogLevel level, std::string_view message) noexcept {
  if (level < api::LogLevel::warning) return;  // rate-refresh chatter is the gateway log's business
  try {
    std::cerr << "creditctl: plugin " << (level == api::LogLevel::error ? "error" : "warning")
              << ": " << message << '\n';
  } catch (...) {
  }
}

bool StderrHost::notify(const api::Notification&) noexcept {
  return false;
}

std::int64_t StderrHost::nowUnixMicros() noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string withRelayDisabled(std::string_view json_text) {
  auto parsed = parseJsonDocument(json_text);
  if (std::holds_alternative<JsonSyntaxError>(parsed)) {
    throw std::logic_error("withRelayDisabled: the config is not valid JSON");
  }
  JsonNode& root = std::get<JsonNode>(parsed);
  JsonNode& enabled =
      objectMember(objectMember(objectMember(root, "notifications"), "relay"), "enabled");
  enabled = JsonNode{};
  enabled.kind = JsonNode::Kind::boolean;
  enabled.boolean = false;
  std::string out;
  serialize(root, out);
  return out + '\n';
}

QuoteGate::QuoteGate(const std::string& config_path) {
  const std::string text = inputFileArgument(config_path);
  const auto parsed = parseConfig(text);
  if (const auto* problem = std::get_if<ConfigError>(&parsed)) {
    throw admin::InputFileError("plugin config " + ctl::quoted(config_path) + ": " +
                                problem->toString());
  }
  // Reachable first, with creditctl's care for the DSN: an outage is exit 3 and a clear message,
  // not a column of ledger_unavailable quotes.
  Database(std::get<Config>(parsed).database_dsn).connection();

  const PrivateFile copy(withRelayDisabled(text));
  api::PluginContext context;
  context.config_path = copy.path();
  context.services = &host_;
  std::string error;
  gate_ = CreditGatePlugin::create(context, error);
  if (!gate_)
    throw admin::InputFileError("plugin config " + ctl::quoted(config_path) + ": " + error);
}

QuoteGate::~QuoteGate() = default;

}  // namespace creditgate::ctl
