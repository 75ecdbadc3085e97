// Campaign files as the gateway reads them (demo/campaigns.json): { "campaigns": [ { "id",
// "tenant", "template", "category", "recipients": [..] }, ... ] }. creditctl quote prices them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace creditgate::admin {

// Tenant, template, category and recipients are kept as written: judging them is the plugin's job,
// so a quote shows the same refusal the gateway would get.
struct Campaign {
  std::string id;  // non-empty
  std::string tenant;
  std::string template_name;
  std::string category;
  std::vector<std::string> recipients;
};

// Throws InputFileError "FILE line N, column C: campaigns[2].tenant: ..." for bad JSON, a duplicate
// or unknown key, a missing member or a value of the wrong type.
std::vector<Campaign> parseCampaignFile(std::string_view text, std::string_view source_name);

}  // namespace creditgate::admin
