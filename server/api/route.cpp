#include "route.hpp"

#include <array>
#include <optional>
#include <vector>

#include "text_codec.hpp"

namespace creditgate::server {
namespace {

// Longer than any id the plugin accepts (batch ids are the longest), so the plugin's own rule, not
// this one, is what a client usually meets; this only bounds the work.
constexpr std::size_t kMaxIdBytes = 256;

// Percent-decodes one path segment. Refused: a broken escape, an encoded '/' or '\' (it would make
// one id look like two segments to anything that decodes again), "." and "..", control
// characters, and ids over kMaxIdBytes. Non-ASCII bytes pass: the plugin names them in its reason.
std::optional<std::string> decodeId(std::string_view segment, std::string& problem) {
  std::string id;
  id.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    char c = segment[i];
    if (c == '%') {
      const int high = i + 1 < segment.size() ? hexDigitValue(segment[i + 1]) : -1;
      const int low = i + 2 < segment.size() ? hexDigitValue(segment[i + 2]) : -1;
      if (high < 0 || low < 0) {
        problem = "has a broken percent escape";
        return std::nullopt;
      }
      c = static_cast<char>(high * 16 + low);
      i += 2;
      if (c == '/' || c == '\\') {
        problem = "contains an encoded '/' or '\\'";
        return std::nullopt;
      }
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      problem = "contains a control character";
      return std::nullopt;
    }
    id.push_back(c);
    if (id.size() > kMaxIdBytes) {
      problem = "is longer than " + std::to_string(kMaxIdBytes) + " bytes";
      return std::nullopt;
    }
  }
  if (id.empty()) {
    problem = "is empty";
    return std::nullopt;
  }
  if (id == "." || id == "..") {
    problem = "is a relative path segment";
    return std::nullopt;
  }
  return id;
}

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

RouteMatch endpointFor(Endpoint endpoint, std::string_view method, std::string_view wanted) {
  RouteMatch match;
  match.endpoint = endpoint;
  if (method == wanted) {
    match.outcome = RouteMatch::Outcome::matched;
  } else {
    match.outcome = RouteMatch::Outcome::method_not_allowed;
    match.allow = wanted;
  }
  return match;
}

RouteMatch withId(Endpoint endpoint, std::string_view method, std::string_view wanted,
                  std::string_view segment, std::string_view what) {
  RouteMatch match = endpointFor(endpoint, method, wanted);
  std::string problem;
  std::optional<std::string> id = decodeId(segment, problem);
  if (!id) {
    match.outcome = RouteMatch::Outcome::bad_path_id;
    match.problem = std::string(what) + " in the path " + problem;
    return match;
  }
  match.id = std::move(*id);
  return match;
}

}  // namespace

std::string_view endpointName(Endpoint endpoint) noexcept {
  switch (endpoint) {
    case Endpoint::decide: return "decide";
    case Endpoint::outcomes: return "outcomes";
    case Endpoint::quote: return "quote";
    case Endpoint::balance: return "balance";
    case Endpoint::healthz: return "healthz";
    case Endpoint::readyz: return "readyz";
    case Endpoint::metrics: return "metrics";
  }
  return "unmatched";
}

RouteMatch matchRoute(std::string_view method, std::string_view target) {
  // The query string names nothing in this API; it is ignored, as HTTP caches and proxies expect.
  std::string_view path = target.substr(0, target.find('?'));
  RouteMatch none;
  if (path.empty() || path.front() != '/') return none;

  if (path == "/healthz") return endpointFor(Endpoint::healthz, method, "GET");
  if (path == "/readyz") return endpointFor(Endpoint::readyz, method, "GET");
  if (path == "/metrics") return endpointFor(Endpoint::metrics, method, "GET");
  if (path == "/v1/quote") return endpointFor(Endpoint::quote, method, "POST");

  const std::vector<std::string_view> s = splitPath(path);
  if (s.size() == 4 && s[0] == "v1" && s[1] == "batches") {
    if (s[3] == "decide") return withId(Endpoint::decide, method, "POST", s[2], "batch id");
    if (s[3] == "outcomes") return withId(Endpoint::outcomes, method, "POST", s[2], "batch id");
  }
  if (s.size() == 4 && s[0] == "v1" && s[1] == "tenants" && s[3] == "balance")
    return withId(Endpoint::balance, method, "GET", s[2], "tenant id");
  return none;
}

}  // namespace creditgate::server
