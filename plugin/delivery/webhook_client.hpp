// Webhook delivery over HTTP(S) with libcurl: one POST per call, connections kept between calls.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "send_result.hpp"

namespace creditgate {

struct CurlHandle;  // curl_handle.hpp

// Not thread-safe: one client per worker thread. Never throws from post().
class WebhookClient {
 public:
  explicit WebhookClient(std::chrono::milliseconds timeout);
  ~WebhookClient();
  WebhookClient(WebhookClient&&) noexcept;
  WebhookClient& operator=(WebhookClient&&) noexcept;

  // POSTs body to url with the headers given ("Name: value" each: the caller's Content-Type and
  // webhook-id, webhook-timestamp, webhook-signature), plus User-Agent: creditgate-webhooks/1.
  // Redirects are not followed (a receiver that moved answers 3xx, which is a retry: its address
  // is the tenant's to change, not the sender's to guess). The answer's body is read and thrown
  // away, at most 64 KiB of it. delivered on 2xx; gone on 410; rejected, without sending, for a
  // header with CR or LF or a URL libcurl will not take; retry for anything else. The error names
  // the status or libcurl's error, never the URL's query.
  SendResult post(const std::string& url, const std::vector<std::string>& headers,
                  const std::string& body) noexcept;

 private:
  std::chrono::milliseconds timeout_;
  std::unique_ptr<CurlHandle> handle_;
};

}  // namespace creditgate
