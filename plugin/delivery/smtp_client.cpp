#include "smtp_client.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string_view>

#include "curl_handle.hpp"
#include "email_address.hpp"
#include "plain_text.hpp"

namespace creditgate {

namespace {

struct Upload {
  std::string_view rest;
};

std::size_t readUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->rest.size());
  std::memcpy(buffer, upload->rest.data(), n);
  upload->rest.remove_prefix(n);
  return n;
}

}  // namespace

SmtpClient::SmtpClient(SmtpSettings settings)
    : settings_(std::move(settings)), handle_(std::make_unique<CurlHandle>()) {}

SmtpClient::~SmtpClient() = default;
SmtpClient::SmtpClient(SmtpClient&&) noexcept = default;
SmtpClient& SmtpClient::operator=(SmtpClient&&) noexcept = default;

SendResult SmtpClient::send(const std::string& to_address, const std::string& message) noexcept {
  try {
    if (!isEmailAddress(to_address)) {
      return {SendResult::Outcome::rejected, 0, "the recipient is not one plain email address"};
    }
    if (!handle_ || handle_->curl == nullptr) {
      return {SendResult::Outcome::retry, 0, "libcurl could not be initialised"};
    }
    CURL* curl = handle_->curl;
    // Options from scratch each time; the connection cache survives a reset.
    curl_easy_reset(curl);

    char error_buffer[CURL_ERROR_SIZE] = {};
    Upload upload{message};
    const std::string from = "<" + settings_.from + ">";
    curl_slist* recipients = curl_slist_append(nullptr, ("<" + to_address + ">").c_str());
    if (recipients == nullptr) return {SendResult::Outcome::retry, 0, "out of memory"};

    const long use_ssl = settings_.starttls == SmtpSettings::StartTls::off        ? CURLUSESSL_NONE
                         : settings_.starttls == SmtpSettings::StartTls::required ? CURLUSESSL_ALL
                                                                                  : CURLUSESSL_TRY;
    const long timeout_ms = static_cast<long>(settings_.timeout.count());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_USE_SSL, use_ssl);
    if (!settings_.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, readUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);

    const CURLcode code = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    // The handle keeps pointers to these: clear them before they go out of scope.
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(recipients);

    SendResult result;
    result.status = static_cast<int>(reply);
    if (code == CURLE_OK) {
      result.outcome = SendResult::Outcome::delivered;
      return result;
    }
    std::string error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    if (code == CURLE_USE_SSL_FAILED) {
      // curl's text names the server's last (successful) reply; say what is really wrong.
      error = "the SMTP server does not offer STARTTLS, which notifications.email.starttls "
              "\"required\" asks for";
      result.status = 0;
    } else if (reply > 0 && error.find(std::to_string(reply)) == std::string::npos) {
      error += " (SMTP " + std::to_string(reply) + ")";
    }
    // Only the recipient refused for good (a 5xx to RCPT TO, e.g. 550 no such mailbox) fails the
    // mail at once. A 5xx to AUTH (535) or MAIL FROM is about our settings, and one to the message
    // may be a passing policy: those are retried, and an admin sees them in the delivery record.
    const bool recipient_refused = reply >= 500 && reply < 600 && code != CURLE_LOGIN_DENIED &&
                                   error.starts_with("RCPT failed");
    result.outcome =
        recipient_refused ? SendResult::Outcome::rejected : SendResult::Outcome::retry;
    // libcurl's messages do not quote passwords, but an error text is logged and stored.
    result.error = replaceAll(std::move(error), settings_.password, "***");
    return result;
  } catch (const std::exception& e) {
    return {SendResult::Outcome::retry, 0, std::string("could not send: ") + e.what()};
  }
}

}  // namespace creditgate
