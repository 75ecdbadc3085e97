// creditctl quote: what each campaign of a campaign file would cost and what decide() would answer
// now, priced by the plugin's own core (QuoteGate) with no side effect: quote() writes nothing.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arguments.hpp"
#include "campaign_file.hpp"
#include "commands.hpp"
#include "decimal_micros.hpp"
#include "quote_gate.hpp"
#include "quoted_text.hpp"
#include "report_fields.hpp"
#include "text_table.hpp"

namespace creditgate::ctl {
namespace {

struct CampaignQuote {
  const admin::Campaign* campaign = nullptr;
  std::string batch_id;
  api::Quote quote;
};

// The whole campaign as one batch, as a gateway that sends it at once would present it.
CampaignQuote quoteCampaign(QuoteGate& gate, const admin::Campaign& campaign) {
  CampaignQuote result{&campaign, "quote-" + campaign.id, {}};
  const std::vector<std::string_view> recipients(campaign.recipients.begin(),
                                                 campaign.recipients.end());
  api::Batch batch;
  batch.tenant_id = campaign.tenant;
  batch.batch_id = result.batch_id;
  batch.campaign_id = campaign.id;
  batch.template_name = campaign.template_name;
  batch.category = campaign.category;
  batch.recipients = recipients;
  result.quote = gate.quote(batch);
  return result;
}

bool databaseFailed(const api::Quote& quote) {
  return quote.reason == api::Reason::ledger_unavailable ||
         quote.reason == api::Reason::ledger_timeout;
}

boost::json::object quoteJson(const CampaignQuote& result) {
  const api::Quote& q = result.quote;
  boost::json::object json;
  json["campaign"] = result.campaign->id;
  json["tenant"] = result.campaign->tenant;
  json["batch_id"] = result.batch_id;
  json["decision"] = api::decisionName(q.decision);
  json["reason"] = api::reasonCode(q.reason);
  json["detail"] = q.detail[0] == '\0' ? boost::json::value(nullptr) : boost::json::value(q.detail);
  json["currency"] =
      q.currency[0] == '\0' ? boost::json::value(nullptr) : boost::json::value(q.currency);
  if (q.lines.empty()) {  // refused before pricing (bad input, unknown tenant): no amount
    json["total"] = nullptr;
    json["total_micros"] = nullptr;
  } else {
    putMoney(json, "total", q.total_micros);
  }
  json["balance_known"] = q.balance_known;
  if (q.balance_known) {
    putMoney(json, "available", q.available_micros);
  } else {
    json["available"] = nullptr;
    json["available_micros"] = nullptr;
  }
  json["recipients_total"] = q.recipients_total;
  json["recipients_affordable"] = q.recipients_affordable;
  boost::json::array lines;
  for (const api::QuoteLine& line : q.lines) {
    boost::json::object item;
    item["market"] = line.market;
    item["category"] = line.category;
    item["recipients"] = line.recipients;
    putMoney(item, "unit_price", line.unit_price_micros);
    putMoney(item, "amount", line.amount_micros);
    lines.push_back(std::move(item));
  }
  json["lines"] = std::move(lines);
  return json;
}

void printQuote(const CampaignQuote& result, std::ostream& out) {
  const admin::Campaign& campaign = *result.campaign;
  const api::Quote& q = result.quote;
  const std::string currency =
      q.currency[0] == '\0' ? std::string("(unknown currency)") : q.currency;
  out << "campaign " << printableText(campaign.id, 80) << " (tenant "
      << printableText(campaign.tenant, 80) << ", " << printableText(campaign.category, 40)
      << ", template " << printableText(campaign.template_name, 80) << ")\n";
  out << "  decision    " << api::decisionName(q.decision) << " (" << api::reasonCode(q.reason)
      << ")\n";
  // The plugin's detail quotes what it names already (quotedText): only control bytes are masked.
  std::string detail = q.detail;
  for (char& c : detail) c = (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') ? '?' : c;
  if (!detail.empty()) out << "  detail      " << detail << '\n';
  const bool priced = !q.lines.empty();
  out << "  total       "
      << (priced ? formatMicros(q.total_micros) + " " + currency : std::string("- (not priced)"))
      << '\n';
  out << "  available   "
      << (q.balance_known ? formatMicros(q.available_micros) + " " + currency
                          : std::string("unknown"))
      << '\n';
  out << "  affordable  " << q.recipients_affordable << " of " << q.recipients_total
      << " recipients\n";
  if (q.lines.empty()) return;
  using Align = TextTable::Align;
  TextTable table({{"MARKET"},
                   {"CATEGORY"},
                   {"RECIPIENTS", Align::right},
                   {"UNIT PRICE", Align::right},
                   {"AMOUNT", Align::right}});
  for (const api::QuoteLine& line : q.lines) {
    table.addRow({line.market, line.category, std::to_string(line.recipients),
                  formatMicros(line.unit_price_micros), formatMicros(line.amount_micros)});
  }
  table.print(out, "  ");
}

}  // namespace

void quoteCommand(const CommandLine& line, Database& /*database*/, std::ostream& out) {
  line.allowOnly({"config", "json"});
  line.expectWords(1, "creditctl quote --config PLUGIN_CONFIG.json CAMPAIGNS.json [--json]");
  const std::string config_path = line.requiredOption("config");
  const std::string& campaign_path = line.words()[0];
  // The campaign file is checked whole before any connection.
  const std::vector<admin::Campaign> campaigns =
      admin::parseCampaignFile(inputFileArgument(campaign_path), campaign_path);

  QuoteGate gate(config_path);
  std::vector<CampaignQuote> quotes;
  for (const admin::Campaign& campaign : campaigns) quotes.push_back(quoteCampaign(gate, campaign));

  std::size_t failed = 0;
  for (const CampaignQuote& result : quotes) failed += databaseFailed(result.quote) ? 1 : 0;

  if (line.flag("json")) {
    boost::json::array json;
    for (const CampaignQuote& result : quotes) json.push_back(quoteJson(result));
    out << boost::json::serialize(json) << '\n';
  } else {
    for (std::size_t i = 0; i < quotes.size(); ++i) {
      if (i > 0) out << '\n';
      printQuote(quotes[i], out);
    }
  }
  if (failed > 0) {
    throw DatabaseUnreachable("the database did not answer for " + std::to_string(failed) + " of " +
                              std::to_string(quotes.size()) + " campaigns");
  }
}

}  // namespace creditgate::ctl
