#include "curl_global.hpp"

#include <curl/curl.h>

#include <mutex>

namespace creditgate {

bool curlReady() noexcept {
  static std::once_flag once;
  static bool ready = false;
  std::call_once(once, [] { ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ready;
}

}  // namespace creditgate
