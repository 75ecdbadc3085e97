#include "delivery_settings.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace creditgate {
namespace {

std::string readPasswordFile(const std::string& path) {
  errno = 0;
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (!file || !(text << file.rdbuf())) {
    const std::string why = errno != 0 ? std::strerror(errno) : "unreadable";
    throw std::runtime_error("notifications.email.password_file " + path +
                             " cannot be read: " + why);
  }
  std::string password = text.str();
  // A file written by `echo` ends with a newline that is not part of the password.
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  if (password.empty()) {
    throw std::runtime_error("notifications.email.password_file " + path + " is empty");
  }
  return password;
}

SmtpSettings::StartTls startTlsOf(const std::string& name) {
  if (name == "off") return SmtpSettings::StartTls::off;
  if (name == "required") return SmtpSettings::StartTls::required;
  return SmtpSettings::StartTls::when_offered;  // the config admits only these three
}

}  // namespace

DeliverySettings deliverySettings(const StartupSettings& startup) {
  DeliverySettings settings;
  settings.smtp.url = startup.smtp_url;
  settings.smtp.starttls = startTlsOf(startup.smtp_starttls);
  settings.smtp.username = startup.smtp_username;
  if (!startup.smtp_password_file.empty()) {
    settings.smtp.password = readPasswordFile(startup.smtp_password_file);
  }
  settings.smtp.from = startup.email_from;
  settings.smtp.timeout = std::chrono::milliseconds(startup.email_timeout_ms);
  settings.webhook_timeout = std::chrono::milliseconds(startup.webhook_timeout_ms);
  settings.portal_url = startup.portal_url;
  return settings;
}

}  // namespace creditgate
