#include "campaign_file.hpp"

#include <initializer_list>
#include <variant>

#include "csv_reader.hpp"  // InputFileError
#include "json_document.hpp"
#include "quoted_text.hpp"

namespace creditgate::admin {
namespace {

class CampaignParser {
 public:
  explicit CampaignParser(std::string_view source_name) : source_name_(source_name) {}

  [[noreturn]] void fail(const JsonPosition& at, const std::string& field,
                         const std::string& message) const {
    throw InputFileError(std::string(source_name_) + " line " + std::to_string(at.line) +
                         ", column " + std::to_string(at.column) + ": " +
                         (field.empty() ? "" : field + ": ") + message);
  }

  void expect(const JsonNode& node, JsonNode::Kind kind, const std::string& field) const {
    if (node.kind != kind) {
      fail(node.position, field,
           "expected " + std::string(jsonKindName(kind)) + ", got " +
               std::string(jsonKindName(node.kind)));
    }
  }

  const JsonNode& member(const JsonNode& object, std::string_view key,
                         const std::string& field) const {
    if (const JsonNode* found = object.find(key)) return *found;
    fail(object.position, field, "missing \"" + std::string(key) + "\"");
  }

  void refuseUnknownKeys(const JsonNode& object, std::initializer_list<std::string_view> known,
                         const std::string& field) const {
    for (std::size_t i = 0; i < object.members.size(); ++i) {
      const std::string& key = object.members[i].first;
      bool is_known = false;
      for (std::string_view name : known) is_known = is_known || key == name;
      if (!is_known) fail(object.key_positions[i], field, "unknown key " + quotedText(key));
    }
  }

  std::string text(const JsonNode& object, std::string_view key, const std::string& field) const {
    const JsonNode& value = member(object, key, field);
    const std::string path = field + "." + std::string(key);
    expect(value, JsonNode::Kind::string, path);
    return value.text;
  }

  Campaign campaign(const JsonNode& node, const std::string& field) const {
    expect(node, JsonNode::Kind::object, field);
    refuseUnknownKeys(node, {"id", "tenant", "template", "category", "recipients"}, field);
    Campaign campaign;
    campaign.id = text(node, "id", field);
    if (campaign.id.empty()) fail(member(node, "id", field).position, field + ".id", "is empty");
    campaign.tenant = text(node, "tenant", field);
    campaign.template_name = text(node, "template", field);
    campaign.category = text(node, "category", field);
    const JsonNode& list = member(node, "recipients", field);
    expect(list, JsonNode::Kind::array, field + ".recipients");
    for (std::size_t i = 0; i < list.elements.size(); ++i) {
      const JsonNode& recipient = list.elements[i];
      expect(recipient, JsonNode::Kind::string, field + ".recipients[" + std::to_string(i) + "]");
      campaign.recipients.push_back(recipient.text);
    }
    return campaign;
  }

 private:
  std::string_view source_name_;
};

}  // namespace

std::vector<Campaign> parseCampaignFile(std::string_view text, std::string_view source_name) {
  const CampaignParser parser(source_name);
  auto parsed = parseJsonDocument(text);
  if (const auto* syntax = std::get_if<JsonSyntaxError>(&parsed)) {
    parser.fail(syntax->position, "", syntax->message);
  }
  const JsonNode& root = std::get<JsonNode>(parsed);
  parser.expect(root, JsonNode::Kind::object, "(document)");
  parser.refuseUnknownKeys(root, {"campaigns"}, "");
  const JsonNode& list = parser.member(root, "campaigns", "");
  parser.expect(list, JsonNode::Kind::array, "campaigns");
  std::vector<Campaign> campaigns;
  for (std::size_t i = 0; i < list.elements.size(); ++i) {
    campaigns.push_back(parser.campaign(list.elements[i], "campaigns[" + std::to_string(i) + "]"));
  }
  if (campaigns.empty()) {
    parser.fail(list.position, "campaigns", "is empty: nothing to quote");
  }
  return campaigns;
}

}  // namespace creditgate::admin
