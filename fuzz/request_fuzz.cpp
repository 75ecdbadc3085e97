// The billing API's request readers on arbitrary input: the first line is a request target for
// matchRoute, the rest a body for each POST body reader (the seeds in fuzz/corpus/request_fuzz read
// that way). Besides not crashing:
//  - a matched id is non-empty, at most 256 bytes, holds no '/', no control character, and is not
//    "." or "..";
//  - a refused body has a code, and is "malformed" exactly when the code is malformed_json;
//  - every answer the server would send for it (the refusal, or a verdict echoing the ids) is a
//    JSON object that parses back: client bytes can never make a response body invalid JSON.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "answer_json.hpp"
#include "fuzz_check.hpp"
#include "request_body.hpp"
#include "route.hpp"

namespace {

using creditgate::fuzz::check;
namespace server = creditgate::server;

void checkParses(const server::Response& response, std::string_view what) {
  boost::json::error_code ec;
  const boost::json::value value = boost::json::parse(response.body, ec);
  check(!ec && value.is_object(), what, response.body);
}

void checkRefusal(const server::BodyError& error) {
  check(!error.code.empty() && !error.message.empty(), "a refusal has a code and a message");
  check((error.kind == server::BodyError::Kind::malformed) == (error.code == "malformed_json"),
        "malformed exactly for malformed_json", error.code);
  checkParses(server::errorAnswer(error.kind == server::BodyError::Kind::malformed ? 400 : 422,
                                  error.code, error.message, error.field),
              "a refusal's answer is a JSON object");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view target = input.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? "" : input.substr(newline + 1);

  for (const char* method : {"GET", "POST"}) {
    const server::RouteMatch match = server::matchRoute(method, target);
    if (match.outcome == server::RouteMatch::Outcome::matched && !match.id.empty()) {
      const std::string& id = match.id;
      check(id.size() <= 256 && id != "." && id != ".." && id.find('/') == std::string::npos,
            "a path id stays within its segment", id);
      for (const char c : id) {
        check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "no control character in an id",
              id);
      }
      creditgate::api::Verdict verdict;
      checkParses(server::decideAnswer(id, id, 0, verdict), "a verdict echoing the id is JSON");
      checkParses(server::balanceAnswer(id, creditgate::api::AccountBalance{}),
                  "a balance refusal echoing the tenant is JSON");
    }
  }

  for (const auto kind : {server::BatchBodyKind::decide, server::BatchBodyKind::quote}) {
    auto parsed = server::parseBatchBody(body, kind);
    if (const auto* error = std::get_if<server::BodyError>(&parsed)) {
      checkRefusal(*error);
    } else {
      const auto& batch = std::get<server::BatchBody>(parsed);
      const auto view = batch.view("fuzz");
      check(view.batch.recipients.size() == batch.recipients.size(), "a view has every recipient");
      creditgate::api::Verdict verdict;
      checkParses(server::decideAnswer("fuzz", batch.tenant, batch.recipients.size(), verdict),
                  "a verdict echoing the tenant is JSON");
    }
  }
  auto outcomes = server::parseOutcomesBody(body);
  if (const auto* error = std::get_if<server::BodyError>(&outcomes)) {
    checkRefusal(*error);
  } else {
    const auto& report = std::get<server::OutcomesBody>(outcomes);
    check(report.view("fuzz").report.outcomes.size() == report.outcomes.size(),
          "a view has every outcome");
  }
  return 0;
}
