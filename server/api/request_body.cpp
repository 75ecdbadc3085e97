#include "request_body.hpp"

#include <initializer_list>
#include <optional>
#include <string_view>

#include "excerpt.hpp"
#include "json_document.hpp"
#include "text_codec.hpp"

namespace creditgate::server {
namespace {

// Thrown inside this file only; the parse functions turn it into a BodyError.
struct Refusal {
  BodyError error;
};

std::string where(const JsonPosition& position) {
  return "line " + std::to_string(position.line) + ", column " + std::to_string(position.column);
}

[[noreturn]] void refuse(std::string code, std::string field, const JsonPosition& position,
                         const std::string& what) {
  BodyError error{BodyError::Kind::invalid, std::move(code), std::move(field), {}};
  error.message = where(position) + ": " + (error.field.empty() ? "" : error.field + ": ") + what;
  throw Refusal{std::move(error)};
}

JsonNode parseObject(std::string_view body) {
  if (const auto offset = firstInvalidUtf8(body)) {
    throw Refusal{BodyError{BodyError::Kind::malformed, "malformed_json", "",
                            "the body is not UTF-8: byte " + std::to_string(*offset + 1) +
                                " does not start a valid UTF-8 character"}};
  }
  auto parsed = parseJsonDocument(body);
  if (auto* syntax = std::get_if<JsonSyntaxError>(&parsed)) {
    BodyError error{BodyError::Kind::malformed, "malformed_json", "", {}};
    error.message = where(syntax->position) + ": " + syntax->message;
    throw Refusal{std::move(error)};
  }
  JsonNode document = std::move(std::get<JsonNode>(parsed));
  if (document.kind != JsonNode::Kind::object) {
    refuse("wrong_type", "", document.position,
           "the body must be a JSON object, got " + std::string(jsonKindName(document.kind)));
  }
  return document;
}

void refuseUnknownFields(const JsonNode& object, std::initializer_list<std::string_view> known,
                         const std::string& prefix) {
  for (std::size_t i = 0; i < object.members.size(); ++i) {
    const std::string& key = object.members[i].first;
    bool found = false;
    for (std::string_view k : known) found = found || key == k;
    if (!found) {
      std::string known_list;
      for (std::string_view k : known)
        known_list += (known_list.empty() ? "" : ", ") + std::string(k);
      refuse("unknown_field", prefix + key, object.key_positions[i],
             "unknown field (expected one of: " + known_list + ")");
    }
  }
}

const JsonNode& required(const JsonNode& object, std::string_view key, const std::string& field) {
  const JsonNode* node = object.find(key);
  if (!node) refuse("missing_field", field, object.position, "is required");
  return *node;
}

std::string text(const JsonNode& node, const std::string& field) {
  if (node.kind != JsonNode::Kind::string) {
    refuse("wrong_type", field, node.position,
           "expected a string, got " + std::string(jsonKindName(node.kind)));
  }
  return node.text;
}

const JsonNode& array(const JsonNode& node, const std::string& field) {
  if (node.kind != JsonNode::Kind::array) {
    refuse("wrong_type", field, node.position,
           "expected an array, got " + std::string(jsonKindName(node.kind)));
  }
  return node;
}

BatchBody readBatch(const JsonNode& root, BatchBodyKind kind) {
  if (kind == BatchBodyKind::quote) {
    refuseUnknownFields(
        root, {"tenant", "campaign", "template", "category", "recipients", "batch_id"}, "");
  } else {
    refuseUnknownFields(root, {"tenant", "campaign", "template", "category", "recipients"}, "");
  }
  BatchBody body;
  body.tenant = text(required(root, "tenant", "tenant"), "tenant");
  if (const JsonNode* campaign = root.find("campaign")) body.campaign = text(*campaign, "campaign");
  body.template_name = text(required(root, "template", "template"), "template");
  body.category = text(required(root, "category", "category"), "category");
  const JsonNode& recipients = array(required(root, "recipients", "recipients"), "recipients");
  body.recipients.reserve(recipients.elements.size());
  for (std::size_t i = 0; i < recipients.elements.size(); ++i) {
    body.recipients.push_back(
        text(recipients.elements[i], "recipients[" + std::to_string(i) + "]"));
  }
  if (const JsonNode* id = root.find("batch_id")) body.batch_id = text(*id, "batch_id");
  return body;
}

api::Delivery delivery(const JsonNode& node, const std::string& field) {
  const std::string status = text(node, field);
  if (status == "delivered") return api::Delivery::delivered;
  if (status == "failed") return api::Delivery::failed;
  refuse("invalid_value", field, node.position,
         "'" + excerpt(status) + "' is not a delivery status (delivered or failed)");
}

OutcomesBody readOutcomes(const JsonNode& root) {
  refuseUnknownFields(root, {"tenant", "outcomes"}, "");
  OutcomesBody body;
  body.tenant = text(required(root, "tenant", "tenant"), "tenant");
  const JsonNode& outcomes = array(required(root, "outcomes", "outcomes"), "outcomes");
  body.outcomes.reserve(outcomes.elements.size());
  for (std::size_t i = 0; i < outcomes.elements.size(); ++i) {
    const std::string field = "outcomes[" + std::to_string(i) + "]";
    const JsonNode& entry = outcomes.elements[i];
    if (entry.kind != JsonNode::Kind::object) {
      refuse("wrong_type", field, entry.position,
             "expected an object, got " + std::string(jsonKindName(entry.kind)));
    }
    refuseUnknownFields(entry, {"recipient", "status"}, field + ".");
    OutcomeEntry outcome;
    outcome.recipient =
        text(required(entry, "recipient", field + ".recipient"), field + ".recipient");
    outcome.delivery = delivery(required(entry, "status", field + ".status"), field + ".status");
    body.outcomes.push_back(std::move(outcome));
  }
  return body;
}

}  // namespace

BatchBody::View BatchBody::view(std::string_view batch_id_from_path) const {
  View v;
  v.recipients.assign(recipients.begin(), recipients.end());
  v.batch.tenant_id = tenant;
  v.batch.batch_id = batch_id_from_path;
  v.batch.campaign_id = campaign;
  v.batch.template_name = template_name;
  v.batch.category = category;
  v.batch.recipients = v.recipients;
  return v;
}

OutcomesBody::View OutcomesBody::view(std::string_view batch_id_from_path) const {
  View v;
  v.outcomes.reserve(outcomes.size());
  for (const OutcomeEntry& o : outcomes) v.outcomes.push_back({o.recipient, o.delivery});
  v.report.tenant_id = tenant;
  v.report.batch_id = batch_id_from_path;
  v.report.outcomes = v.outcomes;
  return v;
}

std::variant<BatchBody, BodyError> parseBatchBody(std::string_view body, BatchBodyKind kind) {
  try {
    return readBatch(parseObject(body), kind);
  } catch (Refusal& refusal) {
    return std::move(refusal.error);
  }
}

std::variant<OutcomesBody, BodyError> parseOutcomesBody(std::string_view body) {
  try {
    return readOutcomes(parseObject(body));
  } catch (Refusal& refusal) {
    return std::move(refusal.error);
  }
}

}  // namespace creditgate::server
