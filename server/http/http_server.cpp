#include "http_server.hpp"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "answer_json.hpp"
#include "billing_api.hpp"
#include "server_metrics.hpp"

namespace creditgate::server {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// What a refused request gets when it never reached the billing API (its framing was wrong).
constexpr std::string_view kHttpRoute = "http";

// After an early answer (413, 431, 400) the client may still be sending: read and drop at most
// this much for at most kLingerTime before closing, so the kernel does not reset the connection
// under the answer (a reset can destroy the response before the client reads it).
constexpr std::size_t kLingerBytes = 64 << 10;
constexpr std::chrono::milliseconds kLingerTime{500};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void closeIfIdle() = 0;  // posted by stopAccepting()
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(net::io_context& io_context, net::thread_pool& pool, HttpLimits l, Handler h,
       ServerMetrics& m)
      : io(io_context),
        workers(pool),
        acceptor(net::make_strand(io_context)),
        limits(l),
        handler(std::move(h)),
        metrics(m) {}

  net::io_context& io;
  net::thread_pool& workers;
  tcp::acceptor acceptor;
  std::optional<ssl::context> tls;
  const HttpLimits limits;
  const Handler handler;
  ServerMetrics& metrics;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> open{0};
  unsigned short bound_port = 0;

  std::mutex sessions_mutex;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;

  void accept();
  void onAccept(beast::error_code ec, tcp::socket socket);
  template <typename S>
  void start(std::shared_ptr<S> session) {
    {
      std::lock_guard lock(sessions_mutex);
      sessions[session.get()] = session;
    }
    session->run();
  }
  void forget(SessionBase* session) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(session);
  }
};

namespace {

template <typename Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <typename... StreamArgs>
  Session(std::shared_ptr<HttpServer::Impl> server, StreamArgs&&... args)
      : server_(std::move(server)), stream_(std::forward<StreamArgs>(args)...) {
    server_->metrics.connectionOpened();
  }

  ~Session() override {
    server_->metrics.connectionClosed();
    server_->open.fetch_sub(1);
    server_->forget(this);
  }

  void run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->lowest().expires_after(self->server_->limits.header_timeout);
        self->stream_.async_handshake(ssl::stream_base::server,
                                      [self](beast::error_code ec) { self->onHandshake(ec); });
      } else {
        self->readHeader();
      }
    });
  }

  void closeIfIdle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) self->lowest().cancel();
    });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void onHandshake(beast::error_code ec) {
    if (ec) return timedOutOr(ec);
    readHeader();
  }

  void readHeader() {
    if (server_->draining.load()) return close();
    idle_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.max_header_bytes));
    parser_->body_limit(server_->limits.max_body_bytes);
    lowest().expires_after(first_request_ ? server_->limits.header_timeout
                                          : server_->limits.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->onHeader(ec);
                            });
  }

  void onHeader(beast::error_code ec) {
    idle_ = false;
    first_request_ = false;
    if (ec == http::error::header_limit) {
      return refuse(431, "header_too_large",
                    "the request line and headers exceed " +
                        std::to_string(server_->limits.max_header_bytes) + " bytes");
    }
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::connection_reset) {
      return timedOutOr(ec);
    }
    if (ec == http::error::body_limit) {
      // Beast checks Content-Length against the limit with the header: the body is not read, the
      // answer goes out now and the connection closes.
      return refuse(413, "body_too_large",
                    "the body (Content-Length " +
                        std::string(parser_->get()[http::field::content_length]).substr(0, 20) +
                        ") exceeds the limit of " + std::to_string(server_->limits.max_body_bytes) +
                        " bytes");
    }
    if (ec) return refuse(400, "bad_request", "not an HTTP/1.1 request: " + ec.message());

    const auto& header = parser_->get();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // curl and others wait for this before sending a body over 1 KiB.
      continue_.emplace(http::status::continue_, header.version());
      lowest().expires_after(server_->limits.write_timeout);
      return http::async_write(stream_, *continue_,
                               [self = this->shared_from_this()](beast::error_code e, std::size_t) {
                                 if (e) return self->close();
                                 self->readBody();
                               });
    }
    readBody();
  }

  void readBody() {
    lowest().expires_after(server_->limits.body_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onBody(ec); });
  }

  void onBody(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return refuse(
          413, "body_too_large",
          "the body exceeds " + std::to_string(server_->limits.max_body_bytes) + " bytes");
    }
    if (ec == beast::error::timeout) return timedOutOr(ec);
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return close();
    }
    if (ec) return refuse(400, "bad_request", "the request body is malformed: " + ec.message());

    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == http::verb::head;
    version_ = message.version();
    Request request;
    // HEAD is GET without the body (RFC 9110 section 9.3.2): probes and load balancers use it.
    request.method = head_ ? std::string("GET") : std::string(message.method_string());
    request.target = std::string(message.target());
    request.content_type = std::string(message[http::field::content_type]);
    request.authorization = std::string(message[http::field::authorization]);
    // HTTP/1.1 clients send one Cookie header; a second one is joined as RFC 6265 section 5.4 says.
    for (auto field = message.find(http::field::cookie);
         field != message.end() && field->name() == http::field::cookie; ++field) {
      if (!request.cookie.empty()) request.cookie += "; ";
      request.cookie += std::string(field->value());
    }
    request.body = std::move(message.body());

    started_ = Clock::now();
    lowest().expires_never();  // the worker's time is the plugin's deadline, not the client's
    net::post(server_->workers, [self = this->shared_from_this(),
                                 request = std::move(request)]() mutable {
      Handled handled;
      try {
        handled = self->server_->handler(std::move(request));
      } catch (const std::exception&) {
        // The plugin never throws; this is the server's own failure (out of memory, say).
        handled = {errorAnswer(500, "internal_error", "the server failed to answer; retry"),
                   "unmatched"};
      }
      net::post(self->stream_.get_executor(), [self, handled = std::move(handled)]() mutable {
        self->respond(std::move(handled));
      });
    });
  }

  void respond(Handled handled) {
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    server_->metrics.observeRequest(handled.route, handled.response.status, seconds);
    write(std::move(handled.response), keep_alive_ && !server_->draining.load());
  }

  void write(Response response, bool keep_alive) {
    response_.emplace(static_cast<http::status>(response.status), version_ ? version_ : 11);
    response_->set(http::field::content_type, response.content_type);
    response_->set(http::field::cache_control, "no-store");
    for (auto& [name, value] : response.headers) {
      // Set-Cookie is the one header that may come more than once (RFC 6265 section 3).
      if (beast::iequals(name, "Set-Cookie")) {
        response_->insert(name, value);
      } else {
        response_->set(name, value);
      }
    }
    response_->body() = std::move(response.body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    if (head_) response_->body().clear();  // Content-Length stays that of the GET answer
    lowest().expires_after(server_->limits.write_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->onWrite(ec);
                      });
  }

  void onWrite(beast::error_code ec) {
    if (ec) return close();
    const bool keep = response_->keep_alive();
    response_.reset();
    if (linger_) return linger();
    if (!keep) return close();
    readHeader();
  }

  // An answer before the request was read whole: say why, then close (the rest is not read).
  void refuse(int status, std::string_view code, const std::string& message) {
    server_->metrics.observeRequest(kHttpRoute, status, 0.0);
    head_ = false;
    linger_ = true;
    write(errorAnswer(status, code, message), false);
  }

  void timedOutOr(beast::error_code ec) {
    if (ec == beast::error::timeout) server_->metrics.clientTimedOut();
    close();
  }

  // Half-close, then drop what the client still sends for a moment (see kLingerBytes).
  void linger() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().expires_after(kLingerTime);
    lingered_ = 0;
    readAndDrop();
  }

  void readAndDrop() {
    lowest().async_read_some(
        net::buffer(drop_), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          self->lingered_ += n;
          if (ec || self->lingered_ > kLingerBytes) return self->closeSocket();
          self->readAndDrop();
        });
  }

  void close() {
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->closeSocket(); });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  void closeSocket() {
    beast::error_code ignored;
    lowest().socket().close(ignored);
  }

  std::shared_ptr<HttpServer::Impl> server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  std::array<char, 4096> drop_{};
  std::size_t lingered_ = 0;
  Clock::time_point started_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool idle_ = false;
  bool first_request_ = true;
  bool linger_ = false;
};

}  // namespace

void HttpServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(io),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                          self->onAccept(ec, std::move(socket));
                        });
}

void HttpServer::Impl::onAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor.is_open()) return;  // stopAccepting()
  if (!ec) {
    if (open.fetch_add(1) >= limits.max_connections) {
      open.fetch_sub(1);
      metrics.connectionRefused();
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      // An answer is one write; Nagle would only hold its last segment back for the client's ACK.
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      // Registered before it runs, so that a stopAccepting() from now on reaches it.
      if (tls) {
        start(std::make_shared<Session<TlsStream>>(shared_from_this(), std::move(socket), *tls));
      } else {
        start(std::make_shared<Session<PlainStream>>(shared_from_this(), std::move(socket)));
      }
    }
  }
  // Errors such as EMFILE are transient for a listener: keep accepting.
  accept();
}

HttpServer::HttpServer(net::io_context& io, net::thread_pool& workers, const std::string& address,
                       unsigned short port, HttpLimits limits, std::optional<TlsFiles> tls,
                       Handler handler, ServerMetrics& metrics)
    : impl_(std::make_shared<Impl>(io, workers, limits, std::move(handler), metrics)) {
  const std::string where = address + ":" + std::to_string(port);
  if (tls) {
    impl_->tls.emplace(ssl::context::tls_server);
    impl_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    beast::error_code ec;
    impl_->tls->use_certificate_chain_file(tls->certificate_chain, ec);
    if (ec) {
      throw std::runtime_error("tls.certificate_chain " + tls->certificate_chain +
                               ": cannot use it: " + ec.message());
    }
    impl_->tls->use_private_key_file(tls->private_key, ssl::context::pem, ec);
    if (ec) {
      throw std::runtime_error("tls.private_key " + tls->private_key +
                               ": cannot use it: " + ec.message());
    }
  }
  beast::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("listen: '" + address + "' is not an IP address");
  const tcp::endpoint endpoint(ip, port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("listen: cannot listen on " + where + ": " + ec.message());
  impl_->bound_port = acceptor.local_endpoint().port();
}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  net::dispatch(impl_->acceptor.get_executor(), [impl = impl_] { impl->accept(); });
}

unsigned short HttpServer::port() const noexcept {
  return impl_->bound_port;
}

void HttpServer::stopAccepting() {
  impl_->draining.store(true);
  net::dispatch(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard lock(impl->sessions_mutex);
      for (auto& [raw, weak] : impl->sessions) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
      }
    }
    for (auto& session : live) session->closeIfIdle();
  });
}

std::size_t HttpServer::openConnections() const noexcept {
  return impl_->open.load();
}

}  // namespace creditgate::server
