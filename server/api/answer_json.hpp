// How the plugin's answers are written over HTTP: the JSON body and the status code a client keys
// on. A verdict is an answer, so every decision (block included) is 200; the codes outside 2xx
// mean "this request could not be decided": the client's mistake (409, 422), or the ledger's
// silence under a blocking policy (503 with Retry-After: retry with the same batch id).
//
// Money goes out twice, as exact decimal text and as integer micro-units in a string
// ("price": "0.123400", "price_micros": "123400"), so no client parses it through a double.
#pragma once

#include <string>
#include <string_view>

#include "creditgate/host_api.hpp"
#include "http_types.hpp"

namespace creditgate::server {

Response decideAnswer(std::string_view batch_id, std::string_view tenant,
                      std::size_t recipients_total, const api::Verdict& verdict);
Response quoteAnswer(std::string_view tenant, std::size_t recipients_total,
                     const api::Quote& quote);
Response outcomesAnswer(std::string_view batch_id, std::string_view tenant,
                        const api::Settlement& settlement);
Response balanceAnswer(std::string_view tenant, const api::AccountBalance& balance);

// {"error": {"code", "message", "field"?}}; field is left out when empty.
Response errorAnswer(int status, std::string_view code, std::string_view message,
                     std::string_view field = {});

// Seconds a client should wait before retrying a request the ledger could not answer.
inline constexpr int kRetryAfterSeconds = 1;

}  // namespace creditgate::server
