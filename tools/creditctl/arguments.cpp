#include "arguments.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <sstream>
#include <variant>

#include "api_key.hpp"
#include "cli_args.hpp"
#include "decimal_micros.hpp"
#include "quoted_text.hpp"
#include "scope.hpp"
#include "tenant_id.hpp"

namespace creditgate::ctl {
namespace {

constexpr std::size_t kMaxReferenceChars = 128;
constexpr std::size_t kMaxQuotedChars = 70;
constexpr std::size_t kMaxContactChars = 2000;  // sql/023's contact_problem
constexpr std::string_view kWebhookPrefix = "webhook:";
constexpr int kMaxOverlapHours = 30 * 24;  // rotate_webhook_secret's limit (sql/023)
constexpr std::size_t kMaxMarketChars = 64;
constexpr std::size_t kMaxLabelChars = 200;  // api_key.label's CHECK (sql/017)
constexpr int kMaxLimit = 10000;
constexpr std::streamoff kMaxInputFileBytes = 16 << 20;  // Meta's files are a few KiB

bool hasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

}  // namespace

std::string quoted(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (out.size() > kMaxQuotedChars) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\' && byte != '\'') {
      out += static_cast<char>(byte);
    } else {
      out += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
    }
  }
  return out + "'";
}

const std::string& tenantIdArgument(const std::string& text) {
  if (!isValidTenantId(text)) {
    throw UsageError("tenant ID " + quoted(text) + " " + std::string(kTenantIdRule));
  }
  return text;
}

const std::string& currencyArgument(const std::string& text) {
  if (text.size() != 3 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    throw UsageError("--currency " + quoted(text) +
                     " must be 3 uppercase letters (ISO 4217, e.g. EUR)");
  }
  return text;
}

std::int64_t positiveAmountArgument(std::string_view name, const std::string& text) {
  // One message for every amount that is not above 0, negative ones included.
  if (text.starts_with('-')) {
    throw UsageError(std::string(name) + " " + quoted(text) + " must be more than 0");
  }
  const auto parsed = parseDecimalMicros(text);
  if (const auto* error = std::get_if<DecimalError>(&parsed)) {
    throw UsageError(std::string(name) + " " + error->message);
  }
  const std::int64_t micros = std::get<std::int64_t>(parsed);
  if (micros <= 0)
    throw UsageError(std::string(name) + " " + quoted(text) + " must be more than 0");
  return micros;
}

const std::string& referenceArgument(const std::string& text) {
  if (const std::size_t length = utf8Length(text); length < 1 || length > kMaxReferenceChars) {
    throw UsageError("--ref " + quoted(text) + " must be 1 to 128 characters");
  }
  return text;
}

admin::CalendarDate dateArgument(std::string_view name, const std::string& text) {
  if (auto date = admin::CalendarDate::parseIso(text)) return *date;
  throw UsageError(std::string(name) + " " + quoted(text) +
                   " must be a date written YYYY-MM-DD (e.g. 2026-07-01)");
}

int limitArgument(std::string_view name, const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '-' || text.front() == '+' || error != std::errc() ||
      stop != end || value < 1 || value > kMaxLimit) {
    throw UsageError(std::string(name) + " " + quoted(text) + " must be a whole number from 1 to " +
                     std::to_string(kMaxLimit));
  }
  return value;
}

bool yesNoArgument(std::string_view name, const std::string& text) {
  if (text == "yes") return true;
  if (text == "no") return false;
  throw UsageError(std::string(name) + " " + quoted(text) + " must be yes or no");
}

const std::string& contactArgument(const std::string& text) {
  if (const std::size_t length = utf8Length(text);
      length < 1 || length > kMaxContactChars || hasControlCharacter(text)) {
    throw UsageError("contact " + quoted(text) +
                     " must be 1 to 2000 characters without control characters");
  }
  return text;
}

std::string webhookUrlArgument(const std::string& text) {
  const std::string url =
      text.starts_with(kWebhookPrefix) ? text.substr(kWebhookPrefix.size()) : text;
  if (const std::size_t length = utf8Length(url);
      length < 1 || length > kMaxContactChars || hasControlCharacter(url)) {
    throw UsageError("URL " + quoted(text) +
                     " must be 1 to 2000 characters without control characters (the webhook's "
                     "URL as creditctl webhook list shows it)");
  }
  return url;
}

int overlapHoursArgument(std::string_view name, const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '-' || text.front() == '+' || error != std::errc() ||
      stop != end || value < 0 || value > kMaxOverlapHours) {
    throw UsageError(std::string(name) + " " + quoted(text) + " must be a whole number of hours " +
                     "from 0 to " + std::to_string(kMaxOverlapHours) + " (30 days)");
  }
  return value;
}

const std::string& marketArgument(std::string_view name, const std::string& text) {
  if (const std::size_t length = utf8Length(text);
      length < 1 || length > kMaxMarketChars || hasControlCharacter(text)) {
    throw UsageError(std::string(name) + " " + quoted(text) +
                     " must be a market name of 1 to 64 characters (see creditctl rates show)");
  }
  return text;
}

std::string inputFileArgument(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read " + quoted(path) + ": " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  if (in.tellg() > kMaxInputFileBytes) {
    throw UsageError(quoted(path) + " is larger than 16 MiB: not a rate-card or mapping file");
  }
  in.seekg(0);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UsageError("cannot read " + quoted(path));
  return text.str();
}

const std::string& scopeArgument(const std::string& text) {
  const auto parsed = server::parseScope(text);
  if (const auto* error = std::get_if<std::string>(&parsed)) throw UsageError("--" + *error);
  return text;
}

const std::string& labelArgument(const std::string& text) {
  if (const std::size_t length = utf8Length(text);
      length < 1 || length > kMaxLabelChars || hasControlCharacter(text)) {
    throw UsageError("--label " + quoted(text) +
                     " must be 1 to 200 characters without control characters");
  }
  return text;
}

const std::string& keyIdArgument(const std::string& text) {
  if (text.starts_with(server::kApiKeyPrefix)) {
    throw UsageError(
        "KEY_ID must be the key's id (the 12 characters after cg_, as creditctl apikey list "
        "shows it), not the whole key");
  }
  if (!server::isValidKeyId(text)) {
    // Text much longer than an id may be a secret pasted on its own: said by its length only.
    const std::string given = text.size() <= 2 * server::kKeyIdLength
                                  ? quoted(text)
                                  : "of " + std::to_string(text.size()) + " characters";
    throw UsageError("KEY_ID " + given +
                     " must be 12 characters a-z or 0-9 (as creditctl apikey list shows it)");
  }
  return text;
}

std::string emailArgument(const std::string& text) {
  std::string email;
  for (const char c : text) {
    email += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::size_t at = email.find('@');
  const bool valid = email.size() <= 254 && at != std::string::npos && at >= 1 && at <= 64 &&
                     email.find('@', at + 1) == std::string::npos &&
                     email.find('.', at + 2) != std::string::npos && email.back() != '.' &&
                     email.find_first_of(" \t\r\n\v\f") == std::string::npos &&
                     !hasControlCharacter(email);
  if (!valid) {
    throw UsageError("EMAIL " + quoted(text) +
                     " must be an address like name@example.com (at most 254 characters)");
  }
  return email;
}

const std::string& roleArgument(const std::string& text) {
  const auto parsed = server::parseScope(text);
  if (std::holds_alternative<std::string>(parsed) || text == "gateway") {
    throw UsageError("--role " + quoted(text) + " must be admin or tenant:<tenant id>");
  }
  return text;
}

}  // namespace creditgate::ctl
