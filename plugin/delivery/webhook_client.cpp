#include "webhook_client.hpp"

#include <exception>
#include <string_view>

#include "curl_handle.hpp"
#include "plain_text.hpp"

namespace creditgate {

namespace {

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

// Counts the answer's body and drops it; past the limit it stops the transfer (the status line
// has been read by then, so the status is still known).
std::size_t discardAnswer(char*, std::size_t size, std::size_t count, void* user) {
  auto* received = static_cast<std::size_t*>(user);
  *received += size * count;
  return *received > kMaxAnswerBytes ? 0 : size * count;
}

// Every occurrence of the URL's query and fragment (which may carry a token) replaced.
std::string withoutQuery(std::string text, std::string_view url) {
  const std::size_t start = url.find_first_of("?#");
  if (start == std::string_view::npos) return text;
  return replaceAll(std::move(text), url.substr(start + 1), "...");
}

}  // namespace

WebhookClient::WebhookClient(std::chrono::milliseconds timeout)
    : timeout_(timeout), handle_(std::make_unique<CurlHandle>()) {}

WebhookClient::~WebhookClient() = default;
WebhookClient::WebhookClient(WebhookClient&&) noexcept = default;
WebhookClient& WebhookClient::operator=(WebhookClient&&) noexcept = default;

SendResult WebhookClient::post(const std::string& url, const std::vector<std::string>& headers,
                               const std::string& body) noexcept {
  try {
    if (!handle_ || handle_->curl == nullptr) {
      return {SendResult::Outcome::retry, 0, "libcurl could not be initialised"};
    }
    curl_slist* list = nullptr;
    const auto add = [&](const std::string& header) {
      curl_slist* longer = curl_slist_append(list, header.c_str());
      if (longer != nullptr) list = longer;
      return longer != nullptr;
    };
    bool listed = true;
    for (const std::string& header : headers) {
      if (header.find_first_of("\r\n") != std::string::npos ||
          header.find('\0') != std::string::npos) {
        curl_slist_free_all(list);
        return {SendResult::Outcome::rejected, 0, "a header holds a line break"};
      }
      listed = listed && add(header);
    }
    // No "Expect: 100-continue" round trip before a body over 1 KiB.
    listed = listed && add("Expect:");
    if (!listed) {
      curl_slist_free_all(list);
      return {SendResult::Outcome::retry, 0, "out of memory"};
    }

    CURL* curl = handle_->curl;
    curl_easy_reset(curl);  // options from scratch; the connection cache survives
    char error_buffer[CURL_ERROR_SIZE] = {};
    std::size_t received = 0;
    const long timeout_ms = static_cast<long>(timeout_.count());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "creditgate-webhooks/1");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discardAnswer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);

    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    // The handle keeps pointers to these: clear them before they go out of scope.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(list);

    SendResult result;
    result.status = static_cast<int>(status);
    // The status decides, however the rest of the answer went (cut off past kMaxAnswerBytes, or
    // slow): the receiver has taken the event once it says 2xx.
    if (status >= 200 && status < 300) {
      result.outcome = SendResult::Outcome::delivered;
      return result;
    }
    if (status == 410) {
      result.outcome = SendResult::Outcome::gone;
      result.error = "HTTP 410 Gone";
      return result;
    }
    if (status > 0) {
      result.error = "HTTP " + std::to_string(status);
      result.outcome = SendResult::Outcome::retry;
      return result;
    }
    result.error =
        withoutQuery(error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code), url);
    result.outcome = code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL
                         ? SendResult::Outcome::rejected
                         : SendResult::Outcome::retry;
    return result;
  } catch (const std::exception& e) {
    return {SendResult::Outcome::retry, 0, std::string("could not send: ") + e.what()};
  }
}

}  // namespace creditgate
