#include "cli_args.hpp"

#include <algorithm>
#include <array>

namespace creditgate::ctl {
namespace {

// Every option of every command: the parser must know which ones take a value before it knows the
// command, since options may come first ("creditctl --dsn X topup ...").
constexpr std::array<std::string_view, 23> kValueOptions = {
    "dsn",         "sql-dir",        "currency",     "contact",     "ref",
    "note",        "effective-from", "source",       "valid-from",  "at",
    "since",       "limit",          "status",       "tenant",      "auth-international",
    "home-market", "config",         "max-topup",    "max-balance", "scope",
    "label",       "role",           "overlap-hours"};
constexpr std::array<std::string_view, 4> kFlags = {"help", "json", "pending", "version"};

bool isOneOf(std::string_view name, std::span<const std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

CommandLine CommandLine::parse(std::span<const std::string> args) {
  CommandLine line;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || !arg.starts_with("--")) {
      line.words_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto equals = name.find('='); equals != std::string::npos) {
      inline_value = name.substr(equals + 1);
      name.resize(equals);
    }
    if (isOneOf(name, kFlags)) {
      if (inline_value) throw UsageError("--" + name + " takes no value");
      line.flags_.insert(name);
    } else if (isOneOf(name, kValueOptions)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
        inline_value = args[++i];
      }
      if (!line.options_.emplace(name, *inline_value).second) {
        throw UsageError("--" + name + " is given more than once");
      }
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
  return line;
}

CommandLine CommandLine::afterWords(std::size_t count) const {
  CommandLine rest = *this;
  rest.words_.erase(rest.words_.begin(), rest.words_.begin() + static_cast<std::ptrdiff_t>(
                                                                   std::min(count, words_.size())));
  return rest;
}

std::optional<std::string> CommandLine::option(std::string_view name) const {
  if (auto it = options_.find(name); it != options_.end()) return it->second;
  return std::nullopt;
}

std::string CommandLine::requiredOption(std::string_view name) const {
  if (auto value = option(name)) return *value;
  throw UsageError("--" + std::string(name) + " is required");
}

void CommandLine::allowOnly(std::initializer_list<std::string_view> allowed) const {
  auto refuse = [&allowed](const std::string& name) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      throw UsageError("this command takes no --" + name);
    }
  };
  for (const auto& [name, value] : options_) refuse(name);
  for (const auto& name : flags_) refuse(name);
}

void CommandLine::expectWords(std::size_t count, std::string_view usage) const {
  if (words_.size() < count) throw UsageError("missing argument; usage: " + std::string(usage));
  if (words_.size() > count) {
    // The extra word is not echoed: it may be a misplaced DSN with its password.
    throw UsageError("too many arguments; usage: " + std::string(usage));
  }
}

}  // namespace creditgate::ctl
