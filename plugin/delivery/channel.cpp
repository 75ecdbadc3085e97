#include "channel.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "email_address.hpp"
#include "plain_text.hpp"
#include "quoted_text.hpp"

namespace creditgate {

namespace {

constexpr std::string_view kEmail = "email:";
constexpr std::string_view kWebhook = "webhook:";
constexpr std::string_view kHost = "host";
constexpr std::string_view kHttps = "https://";
constexpr std::string_view kHttp = "http://";
constexpr std::size_t kMaxLoggedChars = 200;

// ASCII control characters and C1 (U+0080..U+009F), as PostgreSQL's [[:cntrl:]] finds them.
bool hasControl(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return true;
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      return true;
    }
  }
  return false;
}

// The scheme and authority of a URL the rule allows, or empty ones.
struct UrlStart {
  std::string_view scheme;  // "https://" or "http://"
  std::string_view authority;
};

UrlStart urlStart(std::string_view url) {
  const std::string_view scheme = url.starts_with(kHttps)  ? kHttps
                                  : url.starts_with(kHttp) ? kHttp
                                                           : std::string_view();
  if (scheme.empty()) return {};
  const std::string_view rest = url.substr(scheme.size());
  return {scheme, rest.substr(0, rest.find_first_of("/?#"))};
}

// A DNS name or IPv4 address (labels of letters, digits and inner hyphens), or an IPv6 address in
// brackets.
bool isUrlHost(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2).find_first_not_of("0123456789abcdefABCDEF:.") ==
           std::string_view::npos;
  }
  if (host.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(host.find('.', start), host.size());
    const std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        label.find_first_not_of(
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") !=
            std::string_view::npos) {
      return false;
    }
    if (end == host.size()) return true;
    start = end + 1;
  }
}

// host[:port], the port 1..65535; the host part returned, or nullopt.
std::optional<std::string_view> hostOf(std::string_view authority) {
  const std::size_t colon = authority.rfind(':');
  const bool has_port = colon != std::string_view::npos && authority.back() != ']';
  const std::string_view host = has_port ? authority.substr(0, colon) : authority;
  if (has_port) {
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    const int number = std::stoi(std::string(port));
    if (number < 1 || number > 65535) return std::nullopt;
  }
  if (!isUrlHost(host)) return std::nullopt;
  return host;
}

bool isWebhookUrl(std::string_view url) {
  for (const char c : url) {
    // [[:space:]] in ASCII is " \t\n\v\f\r", all but the space caught by hasControl too.
    if (c == ' ' || std::string_view("\"<>\\^`{|}#").find(c) != std::string_view::npos) {
      return false;
    }
  }
  const UrlStart start = urlStart(url);
  if (start.scheme.empty() || start.authority.empty()) return false;
  if (start.authority.find('@') != std::string_view::npos) return false;
  const std::optional<std::string_view> host = hostOf(start.authority);
  if (!host) return false;
  if (start.scheme == kHttp) {
    return *host == "127.0.0.1" || *host == "localhost" || *host == "[::1]";
  }
  return true;
}

}  // namespace

std::optional<Channel> parseChannel(std::string_view contact) {
  const bool email = contact.starts_with(kEmail);
  const bool webhook = contact.starts_with(kWebhook);
  if (email || webhook) {
    if (utf8Length(contact) > kMaxContactLength || hasControl(contact)) return std::nullopt;
    const std::string_view value = contact.substr(email ? kEmail.size() : kWebhook.size());
    if (email ? !isEmailAddress(value) : !isWebhookUrl(value)) return std::nullopt;
    return Channel{email ? Channel::Kind::email : Channel::Kind::webhook, std::string(value)};
  }
  if (contact == kHost) return Channel{Channel::Kind::host, ""};
  if (contact.starts_with(kHost) && contact.size() > kHost.size() && contact[kHost.size()] == ':') {
    return Channel{Channel::Kind::host, std::string(contact.substr(kHost.size() + 1))};
  }
  return Channel{Channel::Kind::host, std::string(contact)};
}

std::string describeChannel(const Channel& channel) {
  switch (channel.kind) {
    case Channel::Kind::email:
      return std::string(kEmail) + printableText(channel.address, kMaxLoggedChars);
    case Channel::Kind::webhook: {
      const std::string_view url = channel.address;
      const std::string_view shown = url.substr(0, url.find_first_of("?#"));
      return std::string(kWebhook) + printableText(shown, kMaxLoggedChars);
    }
    case Channel::Kind::host: break;
  }
  if (channel.address.empty()) return std::string(kHost);
  return std::string(kHost) + ":" + printableText(channel.address, kMaxLoggedChars);
}

}  // namespace creditgate
