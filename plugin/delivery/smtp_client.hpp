// Mail submission over SMTP with libcurl: one message to one recipient per send, the connection
// kept between sends (libcurl's connection cache in the client's handle).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "send_result.hpp"

namespace creditgate {

struct CurlHandle;  // curl_handle.hpp

struct SmtpSettings {
  std::string url = "smtp://localhost:25";  // smtp:// (STARTTLS as below) or smtps:// (TLS at once)
  enum class StartTls {
    off,           // plain text, even if the server offers STARTTLS
    when_offered,  // STARTTLS if the server offers it, plain text if not
    required       // STARTTLS or no mail (a retry, naming why)
  };
  StartTls starttls = StartTls::when_offered;
  std::string username;                       // AUTH only when not empty
  std::string password;                       // secret: never logged, never in an error
  std::string from = "creditgate@localhost";  // the envelope sender (MAIL FROM)
  std::chrono::milliseconds timeout{10000};   // for the whole send, and for connecting
};

// Not thread-safe: one client per worker thread. Never throws from send().
class SmtpClient {
 public:
  explicit SmtpClient(SmtpSettings settings);
  ~SmtpClient();
  SmtpClient(SmtpClient&&) noexcept;
  SmtpClient& operator=(SmtpClient&&) noexcept;

  // `message` is a whole RFC 5322 message with CRLF line ends (composeEmail). delivered when the
  // server took it; rejected on a 5xx answer (the server will not take this mail: an unknown
  // recipient, a refused sender) and for a recipient that is not one plain address; retry for
  // everything else: no connection, a timeout, a 4xx, failed authentication or STARTTLS (a
  // setting to fix, after which the mail should still go).
  SendResult send(const std::string& to_address, const std::string& message) noexcept;

 private:
  SmtpSettings settings_;
  std::unique_ptr<CurlHandle> handle_;
};

}  // namespace creditgate
