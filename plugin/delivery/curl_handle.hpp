// One libcurl easy handle for a client (SmtpClient, WebhookClient), cleaned up with it: made once
// libcurl is ready, null if libcurl could not initialise or make one. Included only by the
// clients' .cpp files, so curl's headers stay out of their headers (which name it only forward).
#pragma once

#include <curl/curl.h>

#include "curl_global.hpp"

namespace creditgate {

struct CurlHandle {
  CURL* curl = nullptr;

  CurlHandle() noexcept {
    if (curlReady()) curl = curl_easy_init();
  }
  ~CurlHandle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
};

}  // namespace creditgate
