#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>

namespace creditgate::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Parses one reply at the start of `buffer`; nullopt when it is not complete yet.
std::optional<HttpReply> parseReply(std::string& buffer) {
  const std::size_t end = buffer.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  HttpReply reply;
  std::size_t line_end = buffer.find("\r\n");
  const std::string status_line = buffer.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0)
    throw std::runtime_error("not an HTTP status line: " + status_line);
  reply.status = std::stoi(status_line.substr(9, 3));
  std::size_t pos = line_end + 2;
  while (pos < end) {
    line_end = buffer.find("\r\n", pos);
    const std::string line = buffer.substr(pos, line_end - pos);
    const std::size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    std::string& kept = reply.headers[lower(line.substr(0, colon))];
    // A repeated header (Set-Cookie) keeps every value, one per line.
    kept = kept.empty() ? value : kept + "\n" + value;
    pos = line_end + 2;
  }
  std::size_t length = 0;
  if (auto it = reply.headers.find("content-length"); it != reply.headers.end())
    length = std::stoul(it->second);
  if (buffer.size() < end + 4 + length) return std::nullopt;
  // 1xx replies have no body and come before the real one.
  reply.body = buffer.substr(end + 4, length);
  buffer.erase(0, end + 4 + length);
  return reply;
}

}  // namespace

std::string HttpReply::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? "" : it->second;
}

HttpConnection::HttpConnection(unsigned short port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " +
                             std::strerror(error));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpConnection::sendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<HttpReply> HttpConnection::readReply(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (auto reply = parseReply(buffered_)) {
      if (reply->status >= 100 && reply->status < 200) continue;  // 100 Continue
      return reply;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return std::nullopt;  // closed or reset
    buffered_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool HttpConnection::closedWithin(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 1))) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return true;
  }
  return false;
}

HttpReply HttpConnection::request(const std::string& method, const std::string& target,
                                  const std::string& body,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::chrono::milliseconds timeout) {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST")
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n" + body;
  sendRaw(text);
  std::optional<HttpReply> reply = readReply(timeout);
  if (!reply) throw std::runtime_error("no reply to " + method + " " + target);
  logExchange(method, target, *reply);
  return *reply;
}

HttpReply httpCall(unsigned short port, const std::string& method, const std::string& target,
                   const std::string& body, const std::string& api_key,
                   const std::string& content_type) {
  HttpConnection connection(port);
  std::vector<std::pair<std::string, std::string>> headers;
  if (!api_key.empty()) headers.emplace_back("Authorization", "Bearer " + api_key);
  if (!content_type.empty() && method == "POST") headers.emplace_back("Content-Type", content_type);
  return connection.request(method, target, body, headers);
}

void logExchange(const std::string& method, const std::string& target, const HttpReply& reply) {
  const char* path = std::getenv("CREDITGATE_API_RESPONSE_LOG");
  if (path == nullptr || *path == '\0') return;
  // The billing portal's HTML pages (/ and /portal/...) are not the JSON API docs/openapi.yaml
  // describes; their own tests check them.
  const std::string_view page = std::string_view(target).substr(0, target.find('?'));
  if (page == "/" || page == "/portal" || page.starts_with("/portal/")) return;
  boost::json::object line;
  line["method"] = method;
  line["target"] = target;
  line["status"] = reply.status;
  line["content_type"] = reply.header("content-type");
  line["body"] = reply.body;
  boost::json::object headers;
  for (const auto& [name, value] : reply.headers) headers[name] = value;
  line["headers"] = std::move(headers);
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::ofstream(path, std::ios::app) << boost::json::serialize(line) << '\n';
}

}  // namespace creditgate::testing
