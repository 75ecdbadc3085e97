#include "http_decider.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

namespace creditgate::bench {
namespace {

constexpr std::size_t kMaxHeader = 64 << 10;
constexpr std::size_t kMaxBody = 1 << 20;

// JSON string content. The bench's values are plain ASCII; escaping keeps any other value valid.
void appendJson(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
}

void appendMember(std::string& out, std::string_view name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":\"";
  appendJson(out, value);
  out += '"';
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool containsIgnoringCase(std::string_view text, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (equalsIgnoringCase(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

// The text of "name":"..." in a compact JSON object (Boost.JSON's serialize writes no blanks), or
// an empty view. Good enough for the enum-like members read here (no escapes in them).
std::string_view stringMember(std::string_view body, std::string_view quoted_name_colon_quote) {
  const std::size_t at = body.find(quoted_name_colon_quote);
  if (at == std::string_view::npos) return {};
  const std::size_t begin = at + quoted_name_colon_quote.size();
  const std::size_t end = body.find('"', begin);
  if (end == std::string_view::npos) return {};
  return body.substr(begin, end - begin);
}

void setDetail(api::Verdict& verdict, std::string_view text) {
  const std::size_t n = std::min(text.size(), sizeof verdict.detail - 1);
  std::memcpy(verdict.detail, text.data(), n);
  verdict.detail[n] = '\0';
}

}  // namespace

HttpDecider::HttpDecider(std::string host, std::uint16_t port, std::string key)
    : host_(std::move(host)),
      port_(port),
      host_port_(host_ + ":" + std::to_string(port)),
      key_(std::move(key)),
      in_(16 << 10) {
  request_.reserve(1024);
  body_.reserve(512);
}

HttpDecider::~HttpDecider() {
  disconnect();
}

bool HttpDecider::connect(std::string& error) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port_);
  if (::inet_pton(AF_INET, host_.c_str(), &address.sin_addr) != 1) {
    error = "not an IPv4 address: " + host_;
    return false;
  }
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // A server that stops answering must not hang the bench: the call fails and is counted.
  timeval timeout{30, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    error = "connect " + host_ + ":" + std::to_string(port_) + ": " + std::strerror(errno);
    disconnect();
    return false;
  }
  ++connects_;
  return true;
}

void HttpDecider::disconnect() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool HttpDecider::sendAll(std::string& error) {
  std::size_t sent = 0;
  while (sent < request_.size()) {
    const ssize_t n = ::send(fd_, request_.data() + sent, request_.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::string("send: ") + std::strerror(errno);
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool HttpDecider::receive(std::string& error) {
  in_size_ = 0;
  std::size_t header_end = std::string_view::npos;
  for (;;) {
    if (in_size_ == in_.size()) in_.resize(in_.size() * 2);
    const ssize_t n = ::recv(fd_, in_.data() + in_size_, in_.size() - in_size_, 0);
    if (n == 0) {
      error = "the server closed the connection before answering";
      return false;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::string("recv: ") + std::strerror(errno);
      return false;
    }
    const std::size_t searched_from = in_size_ >= 3 ? in_size_ - 3 : 0;
    in_size_ += static_cast<std::size_t>(n);
    const std::string_view text(in_.data(), in_size_);
    if (header_end == std::string_view::npos) {
      header_end = text.find("\r\n\r\n", searched_from);
      if (header_end == std::string_view::npos) {
        if (in_size_ > kMaxHeader) {
          error = "an answer header over 64 KiB";
          return false;
        }
        continue;
      }
      // "HTTP/1.1 200 OK"
      const std::string_view head = text.substr(0, header_end);
      if (head.size() < 12 || head.substr(0, 5) != "HTTP/" ||
          std::from_chars(head.data() + 9, head.data() + 12, status_).ec != std::errc()) {
        error = "not an HTTP answer: " + std::string(head.substr(0, 40));
        return false;
      }
      bool have_length = false;
      close_after_ = head.substr(0, 8) == "HTTP/1.0";
      std::size_t line = head.find("\r\n");
      while (line != std::string_view::npos) {
        const std::size_t next = head.find("\r\n", line + 2);
        const std::string_view field =
            head.substr(line + 2, (next == std::string_view::npos ? head.size() : next) - line - 2);
        const std::size_t colon = field.find(':');
        if (colon != std::string_view::npos) {
          const std::string_view name = field.substr(0, colon);
          std::string_view value = field.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
          if (equalsIgnoringCase(name, "content-length")) {
            have_length =
                std::from_chars(value.data(), value.data() + value.size(), body_size_).ec ==
                std::errc();
          } else if (equalsIgnoringCase(name, "connection")) {
            close_after_ = containsIgnoringCase(value, "close");
          } else if (equalsIgnoringCase(name, "transfer-encoding")) {
            error = "a chunked answer (this client reads Content-Length only)";
            return false;
          }
        }
        line = next;
      }
      if (!have_length || body_size_ > kMaxBody) {
        error = "an answer without a usable Content-Length";
        return false;
      }
      body_begin_ = header_end + 4;
    }
    if (in_size_ >= body_begin_ + body_size_) return true;
  }
}

api::Verdict HttpDecider::decide(const api::Batch& batch) noexcept {
  api::Verdict verdict;  // block, internal_error: what a failed call reports
  std::string error;
  try {
    body_.clear();
    body_ += '{';
    appendMember(body_, "tenant", batch.tenant_id);
    if (!batch.campaign_id.empty()) {
      body_ += ',';
      appendMember(body_, "campaign", batch.campaign_id);
    }
    body_ += ',';
    appendMember(body_, "template", batch.template_name);
    body_ += ',';
    appendMember(body_, "category", batch.category);
    body_ += ",\"recipients\":[";
    for (std::size_t i = 0; i < batch.recipients.size(); ++i) {
      if (i > 0) body_ += ',';
      body_ += '"';
      appendJson(body_, batch.recipients[i]);
      body_ += '"';
    }
    body_ += "]}";

    char length[20];
    const auto length_end = std::to_chars(length, length + sizeof length, body_.size()).ptr;
    request_.clear();
    // The bench's batch ids are [0-9a-z-]: nothing to percent-encode.
    request_ += "POST /v1/batches/";
    request_ += batch.batch_id;
    request_ += "/decide HTTP/1.1\r\nHost: ";
    request_ += host_port_;
    request_ += "\r\nAuthorization: Bearer ";
    request_ += key_;
    request_ += "\r\nContent-Type: application/json\r\nContent-Length: ";
    request_.append(length, length_end);
    request_ += "\r\n\r\n";
    request_ += body_;

    if (fd_ < 0 && !connect(error)) {
      // A server that is not there: counted as an error, without spinning on connect().
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      setDetail(verdict, "http: " + error);
      return verdict;
    }
    if (!sendAll(error) || !receive(error)) {
      disconnect();
      setDetail(verdict, "http: " + error);
      return verdict;
    }
    if (close_after_) disconnect();
  } catch (const std::exception& e) {  // out of memory
    disconnect();
    setDetail(verdict, std::string("http: ") + e.what());
    return verdict;
  }

  const std::string_view body(in_.data() + body_begin_, body_size_);
  if (status_ != 200) ++non_200_;
  const std::string_view decision = stringMember(body, R"("decision":")");
  const std::string_view reason = stringMember(body, R"("reason":")");
  bool known = false;
  for (auto d : {api::Decision::allow, api::Decision::allow_flagged, api::Decision::allow_partial,
                 api::Decision::block}) {
    if (decision == api::decisionName(d)) {
      verdict.decision = d;
      known = true;
    }
  }
  if (known) {
    known = false;
    for (int r = 0; r <= static_cast<int>(api::kLastReason); ++r) {
      if (reason == api::reasonCode(static_cast<api::Reason>(r))) {
        verdict.reason = static_cast<api::Reason>(r);
        known = true;
      }
    }
  }
  if (!known) {  // no verdict in the answer (401, 400, 500 ...): an error for the bench
    verdict.decision = api::Decision::block;
    verdict.reason = api::Reason::internal_error;
  }
  verdict.replayed = body.find(R"("replayed":true)") != std::string_view::npos;
  const std::string_view allowed_key = R"("recipients_allowed":)";
  if (const std::size_t at = body.find(allowed_key); at != std::string_view::npos) {
    const char* begin = body.data() + at + allowed_key.size();
    std::from_chars(begin, body.data() + body.size(), verdict.recipients_allowed);
  }
  if (status_ != 200 || verdict.decision == api::Decision::block) {
    setDetail(verdict, "HTTP " + std::to_string(status_) + ": " +
                           std::string(body.substr(0, sizeof verdict.detail - 20)));
  }
  return verdict;
}

}  // namespace creditgate::bench
