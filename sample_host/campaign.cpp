#include "campaign.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/json/value.hpp>

#include "json_file.hpp"

namespace sample_gateway {
namespace json = boost::json;

namespace {

std::vector<std::string> parseRecipients(const json::value& value, const std::string& field) {
  const json::array& list = requireArray(value, field);
  std::vector<std::string> recipients;
  recipients.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    recipients.push_back(requireString(list[i], field + "[" + std::to_string(i) + "]"));
  }
  return recipients;
}

Campaign parseCampaign(const json::value& value, const std::string& field) {
  const json::object& object = requireObject(value, field);
  refuseUnknownKeys(object, {"id", "tenant", "template", "category", "recipients"}, field);
  auto text = [&](std::string_view key) {
    return requireString(requireMember(object, key, field), memberPath(field, key));
  };
  Campaign campaign;
  campaign.id = text("id");
  if (campaign.id.empty()) throw InputError(memberPath(field, "id") + ": must not be empty");
  campaign.tenant = text("tenant");
  campaign.template_name = text("template");
  campaign.category = text("category");
  campaign.recipients = parseRecipients(requireMember(object, "recipients", field),
                                        memberPath(field, "recipients"));
  return campaign;
}

std::vector<Campaign> parseCampaignFile(const json::value& document) {
  const json::object& root = requireObject(document, "(document)");
  refuseUnknownKeys(root, {"campaigns"}, "");
  const json::array& list = requireArray(requireMember(root, "campaigns", ""), "campaigns");
  std::vector<Campaign> campaigns;
  campaigns.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    campaigns.push_back(parseCampaign(list[i], "campaigns[" + std::to_string(i) + "]"));
  }
  return campaigns;
}

}  // namespace

std::vector<Campaign> loadCampaignFile(const std::filesystem::path& file) {
  json::value document = readJsonFile(file);
  try {
    return parseCampaignFile(document);
  } catch (const InputError& e) {
    throw InputError(file.string() + ": " + e.what());
  }
}

std::string batchId(std::string_view campaign_id, std::size_t index) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%04zu", index);
  return std::string(campaign_id) + "-" + digits;
}

std::vector<OutreachBatch> planBatches(const std::vector<Campaign>& campaigns,
                                       std::size_t batch_size) {
  batch_size = std::max<std::size_t>(batch_size, 1);
  std::vector<OutreachBatch> batches;
  for (const Campaign& campaign : campaigns) {
    std::size_t total = campaign.recipients.size();
    std::size_t index = 1;  // operators count batches from 1
    std::size_t begin = 0;
    do {
      std::size_t end = std::min(total, begin + batch_size);
      OutreachBatch batch{&campaign, batchId(campaign.id, index++), {}};
      batch.recipients.assign(campaign.recipients.begin() + begin, campaign.recipients.begin() + end);
      batches.push_back(std::move(batch));
      begin = end;
    } while (begin < total);
  }
  return batches;
}

}  // namespace sample_gateway
