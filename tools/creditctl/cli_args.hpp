// creditctl's command line, split once into words and --options; each command then says which
// options it accepts. Every mistake here is a UsageError (exit 2), found before any connection.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace creditgate::ctl {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "--name value" and "--name=value" both work, anywhere on the line; "--" ends the options.
// A single dash is no option prefix: "-1" reaches the command as a word, which refuses it by name.
class CommandLine {
 public:
  static CommandLine parse(std::span<const std::string> args);

  const std::vector<std::string>& words() const { return words_; }
  // The same line without its first `count` words (the command's name).
  CommandLine afterWords(std::size_t count) const;

  std::optional<std::string> option(std::string_view name) const;
  std::string requiredOption(std::string_view name) const;
  bool flag(std::string_view name) const { return flags_.contains(name); }

  // Refuses any option or flag not named in `allowed` (names without the dashes).
  void allowOnly(std::initializer_list<std::string_view> allowed) const;
  // Refuses any number of words other than `count`; `usage` is quoted in the message.
  void expectWords(std::size_t count, std::string_view usage) const;

 private:
  std::vector<std::string> words_;
  std::map<std::string, std::string, std::less<>> options_;
  std::set<std::string, std::less<>> flags_;
};

}  // namespace creditgate::ctl
