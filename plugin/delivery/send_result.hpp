// What one attempt to deliver a notice came to, for the relay to record and act on.
#pragma once

#include <string>

namespace creditgate {

struct SendResult {
  enum class Outcome {
    delivered,  // the server took it (SMTP 250 after DATA; HTTP 2xx)
    retry,      // no answer, a timeout, a temporary refusal: try again later
    rejected,   // permanent: an SMTP 5xx, or a request that can never be sent as it is
    gone        // the webhook endpoint answered 410 Gone: stop sending to it
  };
  Outcome outcome = Outcome::retry;
  int status = 0;     // the SMTP reply code or HTTP status; 0 = no answer
  std::string error;  // for people; never a password or a URL's query ("" when delivered)
};

}  // namespace creditgate
