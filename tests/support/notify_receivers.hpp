// Test support: the real receivers of notifications as child processes, on 127.0.0.1 only.
//   SmtpSink         tests/notify/smtp_sink.py (aiosmtpd) under Debian's /usr/bin/python3
//   WebhookReceiver  tests/notify/webhook_receiver.mjs under node: Standard Webhooks signatures
//                    checked by npm's standardwebhooks (tests/notify/node_modules: `npm ci` there)
// Each records what it receives as JSON lines in a temporary file, read back here. stop() then
// start() brings the same one back on the same port (a receiver that was down, then up again).
// Failures to start throw std::runtime_error with the receiver's output. The child dies with the
// thread that started it (PR_SET_PDEATHSIG), so a crashed test leaves nothing listening.
#pragma once

#include <sys/types.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace creditgate::testing {

// CREDITGATE_SOURCE_DIR of the test target; throws when it was not defined.
std::filesystem::path defaultSourceDir();

// One receiver script as a child process; what SmtpSink and WebhookReceiver share.
class ReceiverProcess {
 public:
  ~ReceiverProcess();  // stop(), and the temporary files removed
  ReceiverProcess(const ReceiverProcess&) = delete;
  ReceiverProcess& operator=(const ReceiverProcess&) = delete;

  int port() const { return port_; }
  bool running() const { return pid_ > 0; }
  // SIGTERM and wait (SIGKILL after 10 s). What it recorded is kept. No-op when stopped.
  void stop();
  // Starts it (again): on the port it had before, or the constructor's (0: the OS chooses) the
  // first time; waits for its "listening on" line (15 s at most). No-op when running.
  void start();
  // Its stdout and stderr so far, for failure messages.
  std::string output() const;

 protected:
  // `command`: the program and its arguments, without --port/--out (added here).
  ReceiverProcess(std::string name, std::vector<std::string> command, int port);
  const std::filesystem::path& dir() const { return dir_; }  // temporary, removed with this
  void addArguments(const std::vector<std::string>& args);   // for the next start()
  // Every complete JSON line recorded so far, in order of arrival.
  std::vector<boost::json::object> records() const;
  bool waitForRecords(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  std::string name_;
  std::vector<std::string> command_;
  std::filesystem::path dir_;  // out.jsonl, output.log, and what a subclass keeps there
  pid_t pid_ = -1;
  int port_ = 0;
};

struct SmtpSinkOptions {
  // Every member has an initializer, so designated initializers may leave any out (g++ 12's
  // -Wmissing-field-initializers warns about a member without one).
  int port = 0;                            // 0: the OS chooses
  std::string user{};                      // not empty: AUTH LOGIN/PLAIN required (no TLS), and
  std::string password{};                  //   other credentials get 535; empty: any AUTH accepted
  std::vector<std::string> reject_rcpt{};  // RCPT TO these answered 550
};

// One message the sink accepted (smtp_sink.py's JSON line). A header or part it did not have: "".
struct ReceivedMail {
  std::string mail_from;              // envelope MAIL FROM
  std::vector<std::string> rcpt_tos;  // envelope RCPT TO (accepted ones)
  std::string subject;                // RFC 2047 decoded
  std::string message_id;             // with its <>
  std::string from;
  std::string to;
  std::string date;                      // as Python's email package prints it
  std::string content_type;              // media type only, e.g. "multipart/alternative"
  std::string text;                      // the text/plain part, transfer- and charset-decoded
  std::string html;                      // the text/html part, decoded
  std::string raw;                       // the whole message as received
  std::optional<std::string> auth_user;  // the AUTH login, if the client authenticated
};

class SmtpSink : public ReceiverProcess {
 public:
  explicit SmtpSink(SmtpSinkOptions options = {},
                    const std::filesystem::path& source_dir = defaultSourceDir());

  std::string url() const;  // smtp://127.0.0.1:PORT
  std::vector<ReceivedMail> mails() const;
  bool waitForMails(std::size_t n, std::chrono::milliseconds timeout) const {
    return waitForRecords(n, timeout);
  }
};

// URL path prefix -> secrets ("whsec_" + base64) tried in turn; the longest matching prefix wins.
using WebhookSecrets = std::map<std::string, std::vector<std::string>>;

struct WebhookReceiverOptions {
  int port = 0;              // 0: the OS chooses
  WebhookSecrets secrets{};  // may be set later with setSecrets
};

// One POST the receiver answered (webhook_receiver.mjs's JSON line). A missing header: "".
struct ReceivedWebhook {
  std::string path;
  std::string webhook_id;
  std::string webhook_timestamp;
  std::string webhook_signature;
  bool verified = false;
  std::optional<int> verified_with;            // index of the secret that verified it
  std::string verify_error;                    // standardwebhooks' message(s) when not verified
  int status = 0;                              // what the receiver answered
  boost::json::value body;                     // parsed JSON, or the text as a string when not JSON
  std::map<std::string, std::string> headers;  // names in lower case
  std::int64_t received_at_ms = 0;             // Unix time in ms
};

// The answer depends on the path (first matching segment): status-NNN -> NNN; flaky-N -> 500 to the
// first N requests of each webhook-id, then 200; slow-MS -> 200 after MS ms (others meanwhile are
// answered); otherwise 200 when verified, 401 when not.
class WebhookReceiver : public ReceiverProcess {
 public:
  // Throws, naming the command that installs them, when tests/notify/node_modules lacks
  // standardwebhooks.
  explicit WebhookReceiver(WebhookReceiverOptions options = {},
                           const std::filesystem::path& source_dir = defaultSourceDir());

  std::string url(const std::string& path) const;  // http://127.0.0.1:PORT + path
  // Replaces the secrets (write and rename: a request reads the old or the new file whole); the
  // next request uses them.
  void setSecrets(const WebhookSecrets& secrets);
  std::vector<ReceivedWebhook> hooks() const;
  bool waitForHooks(std::size_t n, std::chrono::milliseconds timeout) const {
    return waitForRecords(n, timeout);
  }
};

}  // namespace creditgate::testing
