// portal_load: page load times of the billing portal (docs/PORTAL.md) of a running
// creditgate-server.
//
// Logs in as a browser does (GET /portal/login for the cg_login cookie and the form's csrf field,
// POST /portal/login form-encoded, the 303 sets cg_session), then for each page given with --page
// requests it --warmup times (not measured) and --requests times over ONE keep-alive connection,
// one request after the other, and reports per page: status, body bytes, p50/p95/max of the round
// trip (from the request's first byte written to the answer's last byte read, steady_clock), and,
// with --metrics, the server's own time for the same requests: the difference of its
// creditgate_http_request_duration_seconds{route="portal"} histogram (GET /metrics, open on
// loopback) before and after the measured requests, i.e. from the request's last byte read to the
// answer handed to the socket. The histogram has buckets, not samples: the server's mean is exact,
// its p95 is given as the bucket bound it is under ("<= 50 ms").
//
// --download NAME=PATH: the same for a download (the ledger CSV), with --download-requests.
// --threads K (K >= 2): after the sequential run of each page, K clients at once, each with its
// own keep-alive connection and its own session (K logins of the same user, made before any page is
// timed: one session's requests would queue on its row, which every request touches), each
// --requests requests; reported as a second row.
//
// The round trip is measured on loopback, so it is an upper bound of the server's time: it adds the
// client's write and read and the kernel's loopback, on CPUs the client shares with the server and
// PostgreSQL.
//
// Usage: portal_load --server HOST:PORT --email EMAIL --password-file FILE
//                    --page NAME=PATH [--page ...] [--download NAME=PATH ...]
//                    [--requests 30] [--warmup 3] [--download-requests 5] [--threads K]
//                    [--metrics] [--label TEXT]
// Output: a table, and one line per row for scripts:
//   result <label> <name> <mode> <status> <bytes> <n> <errors> <p50 ms> <p95 ms> <max ms>
//          <server mean ms|-> <server p95 bound ms|-> <requests/s> <status:count,...>
// (tab-separated; mode: seq, or conc<K>; status and bytes are the first answer's, the status with a
// '*' when not every answer had it; latencies include every answered request, whatever its status).
// Exit: 0 when every request was answered (whatever its status and time: statuses are reported,
// never judged), 1 a login or connection failure, 2 usage.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "html.hpp"  // urlEncode

namespace {

using Clock = std::chrono::steady_clock;

struct Target {
  std::string name;
  std::string path;
  bool download = false;
};

struct Options {
  std::string host;
  std::uint16_t port = 0;
  std::string email;
  std::string password_file;
  std::vector<Target> targets;
  int requests = 30;
  int warmup = 3;
  int download_requests = 5;
  int threads = 0;
  bool metrics = false;
  std::string label = "portal";
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "portal_load: " << problem << "\n"
            << "usage: portal_load --server HOST:PORT --email EMAIL --password-file FILE\n"
               "                   --page NAME=PATH [--page ...] [--download NAME=PATH ...]\n"
               "                   [--requests 30] [--warmup 3] [--download-requests 5]\n"
               "                   [--threads K] [--metrics] [--label TEXT]\n";
  std::exit(2);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Reply {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lowercased
  std::string body;

  std::string header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  }
};

// One keep-alive HTTP/1.1 connection, blocking POSIX sockets. Reads creditgate-server's answers:
// Content-Length bodies (Beast's prepare_payload), no chunking, no pipelining.
class Connection {
 public:
  Connection(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}
  ~Connection() { close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::uint64_t connects() const { return connects_; }

  // Throws std::runtime_error on a transport failure (the connection is then closed; the next
  // call opens a new one and counts it).
  Reply request(const std::string& method, const std::string& path, const std::string& cookie,
                const std::string& form = "") {
    std::string text = method + " " + path + " HTTP/1.1\r\nHost: " + host_ + ":" +
                       std::to_string(port_) + "\r\nUser-Agent: portal_load\r\n";
    if (!cookie.empty()) text += "Cookie: " + cookie + "\r\n";
    if (method == "POST") {
      text += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
              std::to_string(form.size()) + "\r\n";
    }
    text += "\r\n" + form;
    if (fd_ < 0) open();
    try {
      sendAll(text);
      return receive();
    } catch (...) {
      close();
      throw;
    }
  }

 private:
  void open() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    if (::inet_pton(AF_INET, host_.c_str(), &address.sin_addr) != 1) {
      throw std::runtime_error("not an IPv4 address: " + host_);
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval timeout{60, 0};  // a page or download that takes longer is a failure
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      const std::string error = std::strerror(errno);
      close();
      throw std::runtime_error("connect " + host_ + ":" + std::to_string(port_) + ": " + error);
    }
    ++connects_;
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    in_.clear();
  }

  void sendAll(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Appends what the socket has to in_; false when the peer closed.
  bool fill() {
    char chunk[64 << 10];
    for (;;) {
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        in_.append(chunk, static_cast<std::size_t>(n));
        return true;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
    }
  }

  Reply receive() {
    std::size_t header_end;
    while ((header_end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (in_.size() > (64 << 10)) throw std::runtime_error("an answer header over 64 KiB");
      if (!fill()) throw std::runtime_error("the server closed the connection before answering");
    }
    Reply reply;
    const std::string_view head(in_.data(), header_end);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/" ||
        std::from_chars(head.data() + 9, head.data() + 12, reply.status).ec != std::errc()) {
      throw std::runtime_error("not an HTTP answer: " + std::string(head.substr(0, 40)));
    }
    bool close_after = head.substr(0, 8) == "HTTP/1.0";
    std::optional<std::size_t> length;
    std::size_t line = head.find("\r\n");
    while (line != std::string_view::npos) {
      const std::size_t next = head.find("\r\n", line + 2);
      const std::string_view field =
          head.substr(line + 2, (next == std::string_view::npos ? head.size() : next) - line - 2);
      const std::size_t colon = field.find(':');
      if (colon != std::string_view::npos) {
        const std::string name = lower(field.substr(0, colon));
        std::string_view value = field.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-length") {
          std::size_t n = 0;
          if (std::from_chars(value.data(), value.data() + value.size(), n).ec == std::errc()) {
            length = n;
          }
        } else if (name == "connection") {
          close_after = lower(value).find("close") != std::string::npos;
        } else if (name == "transfer-encoding") {
          throw std::runtime_error("a chunked answer (this client reads Content-Length only)");
        }
        reply.headers.emplace(name, std::string(value));
      }
      line = next;
    }
    if (!length) throw std::runtime_error("an answer without Content-Length");
    const std::size_t body_begin = header_end + 4;
    while (in_.size() < body_begin + *length) {
      if (!fill()) throw std::runtime_error("the server closed the connection mid-answer");
    }
    reply.body.assign(in_, body_begin, *length);
    in_.erase(0, body_begin + *length);
    if (close_after) close();
    return reply;
  }

  std::string host_;
  std::uint16_t port_;
  int fd_ = -1;
  std::string in_;
  std::uint64_t connects_ = 0;
};

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  // urlEncode (server/portal/html.hpp) encodes all but the unreserved characters, as browsers do.
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += name + "=" + creditgate::server::urlEncode(value);
  }
  return out;
}

// The value a Set-Cookie header gives `name`, or "".
std::string cookieSet(const Reply& reply, const std::string& name) {
  const auto [begin, end] = reply.headers.equal_range("set-cookie");
  for (auto it = begin; it != end; ++it) {
    const std::string& line = it->second;
    if (line.rfind(name + "=", 0) == 0) {
      return line.substr(name.size() + 1, line.find(';') - name.size() - 1);
    }
  }
  return "";
}

// The login form's hidden field: <input type="hidden" name="csrf" value="...">.
std::string csrfIn(const std::string& html) {
  const std::string marker = "name=\"csrf\" value=\"";
  const std::size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const std::size_t begin = at + marker.size();
  const std::size_t end = html.find('"', begin);
  return end == std::string::npos ? "" : html.substr(begin, end - begin);
}

// "cg_session=..." for the user, or throws with the server's answer.
std::string login(const Options& o, const std::string& password) {
  Connection connection(o.host, o.port);
  const Reply form = connection.request("GET", "/portal/login", "");
  const std::string login_cookie = cookieSet(form, "cg_login");
  const std::string csrf = csrfIn(form.body);
  if (form.status != 200 || login_cookie.empty() || csrf.empty()) {
    throw std::runtime_error("GET /portal/login answered " + std::to_string(form.status) +
                             " without a cg_login cookie and a csrf field");
  }
  const Reply reply =
      connection.request("POST", "/portal/login", "cg_login=" + login_cookie,
                         formEncode({{"csrf", csrf}, {"email", o.email}, {"password", password}}));
  const std::string session = cookieSet(reply, "cg_session");
  if (reply.status != 303 || session.empty()) {
    throw std::runtime_error("POST /portal/login for " + o.email + " answered " +
                             std::to_string(reply.status) +
                             " without a session: " + reply.body.substr(0, 300));
  }
  return "cg_session=" + session;
}

// The server's histogram for route="portal": count, sum (s), and cumulative bucket counts by bound.
struct Histogram {
  double count = 0;
  double sum = 0;
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count), +Inf last
};

std::optional<Histogram> portalHistogram(Connection& connection) {
  const Reply reply = connection.request("GET", "/metrics", "");
  if (reply.status != 200) return std::nullopt;
  Histogram h;
  bool seen = false;
  std::istringstream lines(reply.body);
  std::string line;
  const std::string base = "creditgate_http_request_duration_seconds";
  while (std::getline(lines, line)) {
    if (line.rfind(base, 0) != 0 || line.find("route=\"portal\"") == std::string::npos) continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const double value = std::strtod(line.c_str() + space + 1, nullptr);
    const std::string_view rest = std::string_view(line).substr(base.size());
    if (rest.starts_with("_count")) {
      h.count = value;
      seen = true;
    } else if (rest.starts_with("_sum")) {
      h.sum = value;
    } else if (rest.starts_with("_bucket")) {
      const std::size_t le = line.find("le=\"");
      if (le == std::string::npos) continue;
      const std::string bound = line.substr(le + 4, line.find('"', le + 4) - le - 4);
      h.buckets.emplace_back(bound == "+Inf" ? INFINITY : std::strtod(bound.c_str(), nullptr),
                             value);
    }
  }
  if (!seen) return std::nullopt;
  std::sort(h.buckets.begin(), h.buckets.end());
  return h;
}

struct Row {
  std::string name;
  std::string mode;
  int status = 0;  // the first answer's status
  bool mixed_status = false;
  std::map<int, int> statuses;  // how many answers had each status
  std::size_t bytes = 0;        // the first answer's body size
  int n = 0;
  int errors = 0;  // transport failures
  double p50 = 0, p95 = 0, max = 0;
  double server_mean = -1;       // ms, -1 unknown
  double server_p95_bound = -1;  // ms, -1 unknown, INFINITY above the last bucket
  double rate = 0;               // requests/s over the measured requests
  std::string first_error;
};

// Nearest-rank percentile of sorted samples.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const std::size_t rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

struct Samples {
  std::vector<double> ms;
  int status = 0;
  bool mixed_status = false;
  std::map<int, int> statuses;
  std::size_t bytes = 0;
  int errors = 0;
  std::string first_error;
};

void requestMany(Connection& connection, const std::string& path, const std::string& cookie,
                 int warmup, int count, Samples& out) {
  for (int i = 0; i < warmup + count; ++i) {
    const auto start = Clock::now();
    try {
      const Reply reply = connection.request("GET", path, cookie);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (i < warmup) continue;
      ++out.statuses[reply.status];
      if (out.status == 0) {
        out.status = reply.status;
        out.bytes = reply.body.size();
      } else if (reply.status != out.status) {
        out.mixed_status = true;
      }
      out.ms.push_back(ms);
    } catch (const std::exception& e) {
      if (i < warmup) continue;
      ++out.errors;
      if (out.first_error.empty()) out.first_error = e.what();
    }
  }
}

Row summarize(const std::string& name, const std::string& mode, Samples& s, double wall_s) {
  Row row;
  row.name = name;
  row.mode = mode;
  row.status = s.status;
  row.mixed_status = s.mixed_status;
  row.statuses = s.statuses;
  row.bytes = s.bytes;
  row.n = static_cast<int>(s.ms.size());
  row.errors = s.errors;
  row.first_error = s.first_error;
  std::sort(s.ms.begin(), s.ms.end());
  row.p50 = percentile(s.ms, 50);
  row.p95 = percentile(s.ms, 95);
  row.max = s.ms.empty() ? 0 : s.ms.back();
  row.rate = wall_s > 0 ? static_cast<double>(row.n) / wall_s : 0;
  return row;
}

void addServerTime(Row& row, const Histogram& before, const Histogram& after) {
  const double count = after.count - before.count;
  if (count <= 0) return;
  row.server_mean = 1000.0 * (after.sum - before.sum) / count;
  if (before.buckets.size() != after.buckets.size()) return;
  for (std::size_t i = 0; i < after.buckets.size(); ++i) {
    if (after.buckets[i].second - before.buckets[i].second >= 0.95 * count) {
      row.server_p95_bound = after.buckets[i].first * 1000.0;
      return;
    }
  }
}

std::string fixed(double v, int decimals = 1) {
  if (v < 0) return "-";
  if (std::isinf(v)) return "inf";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

Options parseOptions(int argc, char** argv) {
  Options o;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  auto count = [&](int& i, int min) -> int {
    const std::string name = argv[i];
    const std::string text = value(i);
    int v = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), v).ec != std::errc() || v < min ||
        v > 1000000) {
      usage(name + ": not a whole number >= " + std::to_string(min) + ": " + text);
    }
    return v;
  };
  auto target = [&](int& i, bool download) {
    const std::string text = value(i);
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 >= text.size() || text[eq + 1] != '/') {
      usage("--page/--download need NAME=/PATH, got " + text);
    }
    o.targets.push_back(Target{text.substr(0, eq), text.substr(eq + 1), download});
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--server") {
      std::string where = value(i);
      if (where.rfind("http://", 0) == 0) where.erase(0, 7);
      const std::size_t colon = where.rfind(':');
      unsigned port = 0;
      if (colon == std::string::npos ||
          std::from_chars(where.data() + colon + 1, where.data() + where.size(), port).ec !=
              std::errc() ||
          port == 0 || port > 65535) {
        usage("--server needs HOST:PORT, got " + where);
      }
      o.host = where.substr(0, colon);
      o.port = static_cast<std::uint16_t>(port);
    } else if (arg == "--email") {
      o.email = value(i);
    } else if (arg == "--password-file") {
      o.password_file = value(i);
    } else if (arg == "--page") {
      target(i, false);
    } else if (arg == "--download") {
      target(i, true);
    } else if (arg == "--requests") {
      o.requests = count(i, 1);
    } else if (arg == "--warmup") {
      o.warmup = count(i, 0);
    } else if (arg == "--download-requests") {
      o.download_requests = count(i, 1);
    } else if (arg == "--threads") {
      o.threads = count(i, 0);
    } else if (arg == "--metrics") {
      o.metrics = true;
    } else if (arg == "--label") {
      o.label = value(i);
    } else if (arg == "--help" || arg == "-h") {
      usage("help");
    } else {
      usage("unknown option " + std::string(arg));
    }
  }
  if (o.host.empty() || o.email.empty() || o.password_file.empty() || o.targets.empty()) {
    usage("--server, --email, --password-file and at least one --page or --download are required");
  }
  if (o.threads > 256) usage("--threads must be 0..256");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parseOptions(argc, argv);
  std::string password;
  {
    std::ifstream file(o.password_file);
    std::getline(file, password);
    if (!file && password.empty()) usage("cannot read the password from " + o.password_file);
  }

  std::string cookie;
  try {
    cookie = login(o, password);
  } catch (const std::exception& e) {
    std::cerr << "portal_load: login failed: " << e.what() << "\n";
    return 1;
  }

  std::vector<std::string> client_cookies;
  for (int k = 0; o.threads >= 2 && k < o.threads; ++k) {
    try {
      client_cookies.push_back(login(o, password));
    } catch (const std::exception& e) {
      std::cerr << "portal_load: login " << k + 2 << " failed: " << e.what() << "\n";
      return 1;
    }
  }

  Connection pages(o.host, o.port);
  Connection metrics(o.host, o.port);
  std::vector<Row> rows;
  for (const Target& t : o.targets) {
    const int count = t.download ? o.download_requests : o.requests;
    const int warmup = t.download ? std::min(o.warmup, 1) : o.warmup;
    Samples samples;
    // Warm-up first (its requests are not in the histogram difference), then the measured ones.
    requestMany(pages, t.path, cookie, warmup, 0, samples);
    std::optional<Histogram> before;
    if (o.metrics) {
      try {
        before = portalHistogram(metrics);
      } catch (const std::exception& e) {
        std::cerr << "portal_load: GET /metrics: " << e.what() << "\n";
      }
    }
    const auto start = Clock::now();
    requestMany(pages, t.path, cookie, 0, count, samples);
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    Row row = summarize(t.name, "seq", samples, wall);
    if (before) {
      try {
        if (const auto after = portalHistogram(metrics)) addServerTime(row, *before, *after);
      } catch (const std::exception& e) {
        std::cerr << "portal_load: GET /metrics: " << e.what() << "\n";
      }
    }
    rows.push_back(row);

    if (o.threads >= 2) {
      std::vector<Samples> each(static_cast<std::size_t>(o.threads));
      std::vector<std::thread> clients;
      std::optional<Histogram> before_c;
      if (o.metrics) {
        try {
          before_c = portalHistogram(metrics);
        } catch (const std::exception&) {
        }
      }
      const auto start_c = Clock::now();
      for (int k = 0; k < o.threads; ++k) {
        clients.emplace_back([&, k] {
          Connection connection(o.host, o.port);
          const auto i = static_cast<std::size_t>(k);
          requestMany(connection, t.path, client_cookies[i], 0, count, each[i]);
        });
      }
      for (std::thread& c : clients) c.join();
      const double wall_c = std::chrono::duration<double>(Clock::now() - start_c).count();
      Samples all;
      for (Samples& s : each) {
        all.ms.insert(all.ms.end(), s.ms.begin(), s.ms.end());
        all.errors += s.errors;
        if (all.first_error.empty()) all.first_error = s.first_error;
        if (all.status == 0) {
          all.status = s.status;
          all.bytes = s.bytes;
        } else if (s.status != 0 && s.status != all.status) {
          all.mixed_status = true;
        }
        all.mixed_status = all.mixed_status || s.mixed_status;
        for (const auto& [status, n] : s.statuses) all.statuses[status] += n;
      }
      Row crow = summarize(t.name, "conc" + std::to_string(o.threads), all, wall_c);
      if (before_c) {
        try {
          if (const auto after = portalHistogram(metrics)) addServerTime(crow, *before_c, *after);
        } catch (const std::exception&) {
        }
      }
      rows.push_back(crow);
    }
  }

  std::printf("%s: %s as %s, %d measured requests per page (%d per download) after %d warm-up\n",
              o.label.c_str(), (o.host + ":" + std::to_string(o.port)).c_str(), o.email.c_str(),
              o.requests, o.download_requests, o.warmup);
  std::printf("%-22s %-6s %6s %9s %5s %9s %9s %9s %11s %12s %7s\n", "page", "mode", "status",
              "bytes", "n", "p50 ms", "p95 ms", "max ms", "server avg", "server p95", "req/s");
  bool failed = false;
  for (const Row& r : rows) {
    std::printf("%-22s %-6s %5d%s %9zu %5d %9s %9s %9s %11s %12s %7s\n", r.name.c_str(),
                r.mode.c_str(), r.status, r.mixed_status ? "*" : " ", r.bytes, r.n,
                fixed(r.p50).c_str(), fixed(r.p95).c_str(), fixed(r.max).c_str(),
                fixed(r.server_mean).c_str(),
                r.server_p95_bound < 0 ? "-" : ("<= " + fixed(r.server_p95_bound, 0)).c_str(),
                fixed(r.rate).c_str());
    if (r.mixed_status) {
      std::string counts;
      for (const auto& [status, n] : r.statuses) {
        counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " x " + std::to_string(status);
      }
      std::printf("    * answers: %s\n", counts.c_str());
    }
    if (r.errors > 0) {
      std::printf("    %d request(s) failed; first: %s\n", r.errors, r.first_error.c_str());
      failed = true;
    }
  }
  for (const Row& r : rows) {
    std::string counts;
    for (const auto& [status, n] : r.statuses) {
      counts += (counts.empty() ? "" : ",") + std::to_string(status) + ":" + std::to_string(n);
    }
    std::printf("result\t%s\t%s\t%s\t%d%s\t%zu\t%d\t%d\t%.2f\t%.2f\t%.2f\t%s\t%s\t%.1f\t%s\n",
                o.label.c_str(), r.name.c_str(), r.mode.c_str(), r.status,
                r.mixed_status ? "*" : "", r.bytes, r.n, r.errors, r.p50, r.p95, r.max,
                fixed(r.server_mean, 2).c_str(),
                r.server_p95_bound < 0 ? "-" : fixed(r.server_p95_bound, 0).c_str(), r.rate,
                counts.empty() ? "-" : counts.c_str());
  }
  std::printf("connections opened for the pages: %llu (1 when keep-alive held)\n",
              static_cast<unsigned long long>(pages.connects()));
  return failed ? 1 : 0;
}
