// Campaign files, and how a campaign is cut into the batches the gateway sends.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sample_gateway {

// One outreach campaign as the operator wrote it. Tenant, template, category and recipients are
// passed to the plugin as they are: judging them is the plugin's job, not the gateway's.
struct Campaign {
  std::string id;  // non-empty: batch ids are built from it
  std::string tenant;
  std::string template_name;
  std::string category;
  std::vector<std::string> recipients;
};

// Reads a campaign file: { "campaigns": [ { "id", "tenant", "template", "category",
// "recipients": [..] }, ... ] }. Throws InputError naming the file, the campaign index and the field.
std::vector<Campaign> loadCampaignFile(const std::filesystem::path& file);

// One batch of a campaign. Views point into the Campaign, which must outlive the batch.
struct OutreachBatch {
  const Campaign* campaign = nullptr;
  std::string batch_id;
  std::vector<std::string_view> recipients;  // in send order
};

// "<campaign id>-<1-based index, at least 4 digits>", e.g. "spring-sale-0003". Deterministic, so that sending
// the same campaign again replays its batches instead of paying twice.
std::string batchId(std::string_view campaign_id, std::size_t index);

// Cuts every campaign into batches of at most `batch_size` recipients. A campaign without recipients
// still yields one empty batch, so that the plugin (not the gateway) refuses it.
std::vector<OutreachBatch> planBatches(const std::vector<Campaign>& campaigns, std::size_t batch_size);

}  // namespace sample_gateway
