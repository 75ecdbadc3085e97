// libcurl's process-wide set-up, done once before the first handle (curl_global_init is safe to
// call from any thread since libcurl 7.84, but the call_once keeps older ones right too). Never
// undone: the host may use libcurl itself, and curl_global_cleanup would pull it from under it.
#pragma once

namespace creditgate {

// false if libcurl could not initialise; the clients then answer every send with a retry.
bool curlReady() noexcept;

}  // namespace creditgate
