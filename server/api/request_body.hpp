// The JSON bodies of the billing API's POST requests, read strictly: a body is one JSON object
// with exactly the documented fields; an unknown field, a missing one, a wrong type, a duplicate
// key, malformed JSON or text that is not UTF-8 is refused with the field's path and where it is.
// Nothing here decides money: a parsed body becomes a host API Batch or OutcomeReport and the
// plugin checks the values (ids, category, E.164) exactly as it does for a C++ gateway.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "creditgate/host_api.hpp"

namespace creditgate::server {

struct BodyError {
  enum class Kind {
    malformed,  // not JSON, not UTF-8, or a duplicate key: HTTP 400
    invalid,    // JSON, but not the documented shape: HTTP 422
  } kind = Kind::malformed;
  std::string code;     // "malformed_json", "unknown_field", "missing_field", "wrong_type", ...
  std::string field;    // "recipients[3]", "" for the whole body
  std::string message;  // "line 1, column 40: recipients[3]: expected a string, got number"
};

// POST /v1/batches/{id}/decide and POST /v1/quote.
struct BatchBody {
  std::string tenant;
  std::string campaign;  // optional, "" when absent
  std::string template_name;
  std::string category;
  std::vector<std::string> recipients;
  std::string batch_id;  // quote only: optional, lets a quote name the batch it is for

  // Views into this body (and `id_from_path` for decide): valid while both live.
  struct View {
    std::vector<std::string_view> recipients;
    api::Batch batch;
  };
  View view(std::string_view batch_id_from_path) const;
};

struct OutcomeEntry {
  std::string recipient;
  api::Delivery delivery = api::Delivery::failed;
};

// POST /v1/batches/{id}/outcomes
struct OutcomesBody {
  std::string tenant;
  std::vector<OutcomeEntry> outcomes;

  struct View {
    std::vector<api::RecipientOutcome> outcomes;
    api::OutcomeReport report;
  };
  View view(std::string_view batch_id_from_path) const;
};

enum class BatchBodyKind { decide, quote };

std::variant<BatchBody, BodyError> parseBatchBody(std::string_view body, BatchBodyKind kind);
std::variant<OutcomesBody, BodyError> parseOutcomesBody(std::string_view body);

}  // namespace creditgate::server
