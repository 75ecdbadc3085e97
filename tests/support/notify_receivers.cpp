#include "notify_receivers.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "child_process.hpp"

namespace creditgate::testing {
namespace {

// Debian's python: python3-aiosmtpd is installed for it, not for one of pyenv's or a venv's.
constexpr const char* kPython = "/usr/bin/python3";

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `args` as a child (a crashed test leaves no receiver holding its port), stdin from /dev/null,
// stdout and stderr appended to `output`.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& output) {
  return spawnChild(args, [&output] {
    const int out = ::open(output.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
  });
}

// True when `pid` ended within `timeout` (and was reaped).
bool waitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string text(const boost::json::object& record, const char* key) {
  const boost::json::value* value = record.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace

std::filesystem::path defaultSourceDir() {
#ifdef CREDITGATE_SOURCE_DIR
  return CREDITGATE_SOURCE_DIR;
#else
  throw std::logic_error("CREDITGATE_SOURCE_DIR is not defined: pass the source directory");
#endif
}

// ReceiverProcess -------------------------------------------------------------------------------

ReceiverProcess::ReceiverProcess(std::string name, std::vector<std::string> command, int port)
    : name_(std::move(name)), command_(std::move(command)), port_(port) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("creditgate-" + name_ + ".XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  }
  dir_ = pattern;
  std::ofstream(dir_ / "out.jsonl").flush();  // empty until the first record
}

ReceiverProcess::~ReceiverProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void ReceiverProcess::start() {
  if (running()) return;
  const std::filesystem::path log = dir_ / "output.log";
  const std::size_t from = std::filesystem::exists(log) ? std::filesystem::file_size(log) : 0;
  std::vector<std::string> args = command_;
  args.insert(args.end(),
              {"--port", std::to_string(port_), "--out", (dir_ / "out.jsonl").string()});
  pid_ = spawn(args, log);

  const std::string marker = "listening on 127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = readFile(log);
    const std::size_t at = from <= out.size() ? out.find(marker, from) : std::string::npos;
    const std::size_t eol = at == std::string::npos ? at : out.find('\n', at);
    if (eol != std::string::npos) {
      port_ = std::stoi(out.substr(at + marker.size(), eol - at - marker.size()));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  std::string hint;
  const std::string out = output();
  if (out.find("No module named 'aiosmtpd'") != std::string::npos) {
    hint = " (apt-get install python3-aiosmtpd; it is for Debian's /usr/bin/python3)";
  }
  throw std::runtime_error(name_ + " did not start on port " + std::to_string(port_) + hint +
                           ":\n" + out);
}

void ReceiverProcess::stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  if (!waitForExit(pid_, std::chrono::seconds(10))) {
    ::kill(pid_, SIGKILL);
    waitForExit(pid_, std::chrono::seconds(10));
  }
  pid_ = -1;
}

void ReceiverProcess::addArguments(const std::vector<std::string>& args) {
  command_.insert(command_.end(), args.begin(), args.end());
}

std::string ReceiverProcess::output() const {
  return readFile(dir_ / "output.log");
}

std::vector<boost::json::object> ReceiverProcess::records() const {
  std::vector<boost::json::object> result;
  std::istringstream lines(readFile(dir_ / "out.jsonl"));
  std::string line;
  // A line still being written has no newline yet (getline then hits EOF): left for next time.
  while (std::getline(lines, line) && !lines.eof()) {
    if (!line.empty()) result.push_back(boost::json::parse(line).as_object());
  }
  return result;
}

bool ReceiverProcess::waitForRecords(std::size_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const std::string all = readFile(dir_ / "out.jsonl");
    if (static_cast<std::size_t>(std::count(all.begin(), all.end(), '\n')) >= n) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// SmtpSink --------------------------------------------------------------------------------------

namespace {

std::vector<std::string> smtpSinkCommand(const SmtpSinkOptions& options,
                                         const std::filesystem::path& source_dir) {
  std::vector<std::string> command{kPython, (source_dir / "tests/notify/smtp_sink.py").string()};
  if (!options.user.empty()) {
    command.insert(command.end(), {"--user", options.user, "--password", options.password});
  }
  for (const std::string& address : options.reject_rcpt) {
    command.insert(command.end(), {"--reject-rcpt", address});
  }
  return command;
}

}  // namespace

SmtpSink::SmtpSink(SmtpSinkOptions options, const std::filesystem::path& source_dir)
    : ReceiverProcess("smtp-sink", smtpSinkCommand(options, source_dir), options.port) {
  start();
}

std::string SmtpSink::url() const {
  return "smtp://127.0.0.1:" + std::to_string(port());
}

std::vector<ReceivedMail> SmtpSink::mails() const {
  std::vector<ReceivedMail> result;
  for (const boost::json::object& record : records()) {
    ReceivedMail& mail = result.emplace_back();
    mail.mail_from = text(record, "mail_from");
    if (const boost::json::value* rcpts = record.if_contains("rcpt_tos")) {
      for (const boost::json::value& rcpt : rcpts->as_array()) {
        mail.rcpt_tos.emplace_back(rcpt.as_string());
      }
    }
    mail.subject = text(record, "subject");
    mail.message_id = text(record, "message_id");
    mail.from = text(record, "from");
    mail.to = text(record, "to");
    mail.date = text(record, "date");
    mail.content_type = text(record, "content_type");
    mail.text = text(record, "text");
    mail.html = text(record, "html");
    mail.raw = text(record, "raw");
    const boost::json::value* user = record.if_contains("auth_user");
    if (user != nullptr && user->is_string()) mail.auth_user = std::string(user->get_string());
  }
  return result;
}

// WebhookReceiver -------------------------------------------------------------------------------

namespace {

std::vector<std::string> webhookReceiverCommand(const std::filesystem::path& source_dir) {
  const std::filesystem::path notify = source_dir / "tests/notify";
  if (!std::filesystem::exists(notify / "node_modules/standardwebhooks/package.json")) {
    throw std::runtime_error(
        "WebhookReceiver: " + (notify / "node_modules/standardwebhooks").string() +
        " is missing; install it with: (cd " + notify.string() +
        " && npm ci)   (scripts/test does this before the tests)");
  }
  return {"node", (notify / "webhook_receiver.mjs").string()};
}

}  // namespace

WebhookReceiver::WebhookReceiver(WebhookReceiverOptions options,
                                 const std::filesystem::path& source_dir)
    : ReceiverProcess("webhook-receiver", webhookReceiverCommand(source_dir), options.port) {
  setSecrets(options.secrets);
  addArguments({"--secrets", (dir() / "secrets.json").string()});
  start();
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

void WebhookReceiver::setSecrets(const WebhookSecrets& secrets) {
  boost::json::object json;
  for (const auto& [prefix, list] : secrets) {
    boost::json::array array;
    for (const std::string& secret : list) array.emplace_back(secret);
    json[prefix] = std::move(array);
  }
  const std::filesystem::path temp = dir() / "secrets.json.tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << boost::json::serialize(json) << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + temp.string());
  }
  std::filesystem::rename(temp, dir() / "secrets.json");
}

std::vector<ReceivedWebhook> WebhookReceiver::hooks() const {
  std::vector<ReceivedWebhook> result;
  for (const boost::json::object& record : records()) {
    ReceivedWebhook& hook = result.emplace_back();
    hook.path = text(record, "path");
    hook.webhook_id = text(record, "webhook_id");
    hook.webhook_timestamp = text(record, "webhook_timestamp");
    hook.webhook_signature = text(record, "webhook_signature");
    hook.verified = record.at("verified").as_bool();
    if (const boost::json::value& with = record.at("verified_with"); with.is_int64()) {
      hook.verified_with = static_cast<int>(with.get_int64());
    }
    hook.verify_error = text(record, "verify_error");
    hook.status = static_cast<int>(record.at("status").to_number<std::int64_t>());
    hook.body = record.at("body");
    if (const boost::json::value* headers = record.if_contains("headers")) {
      for (const auto& [name, value] : headers->as_object()) {
        hook.headers[std::string(name)] =
            value.is_string() ? std::string(value.get_string()) : boost::json::serialize(value);
      }
    }
    hook.received_at_ms = record.at("received_at_ms").to_number<std::int64_t>();
  }
  return result;
}

}  // namespace creditgate::testing
