#include "pages_spend.hpp"

#include <algorithm>
#include <map>

#include "html.hpp"
#include "money_text.hpp"
#include "page_frame.hpp"

namespace creditgate::server {
namespace {

constexpr int kLabelWidth = 170;  // market names, left of the bars
constexpr int kBarWidth = 430;    // the longest bar
constexpr int kRowHeight = 28;
constexpr std::string_view kCategories[] = {"marketing", "utility", "authentication",
                                            "authentication_international", "service"};

int categoryIndex(const std::string& category) {
  for (int i = 0; i < 5; ++i) {
    if (kCategories[i] == category) return i;
  }
  return 5;  // one the page does not know: drawn in the last colour
}

struct MarketTotal {
  std::string market;
  std::int64_t total = 0;
  std::int64_t by_category[6] = {};
};

std::vector<MarketTotal> byMarket(const std::vector<SpendRow>& rows) {
  std::map<std::string, MarketTotal> totals;
  for (const SpendRow& row : rows) {
    MarketTotal& total = totals[row.market];
    total.market = row.market;
    total.total += row.spent_micros;
    total.by_category[categoryIndex(row.category)] += row.spent_micros;
  }
  std::vector<MarketTotal> out;
  for (auto& [market, total] : totals) out.push_back(total);
  std::stable_sort(out.begin(), out.end(),
                   [](const MarketTotal& a, const MarketTotal& b) { return a.total > b.total; });
  return out;
}

// Pixels for `part` of `whole` over `width`: exact integer arithmetic (no floating point near
// money), 128 bits so that no int64 amount overflows.
int pixels(std::int64_t part, std::int64_t whole, int width) {
  if (whole <= 0 || part <= 0) return 0;
  return static_cast<int>(static_cast<__int128>(part) * width / whole);
}

}  // namespace

std::string spendChartSvg(const std::vector<SpendRow>& rows, const AccountView& account) {
  const std::vector<MarketTotal> markets = byMarket(rows);
  const std::int64_t largest = markets.empty() ? 0 : std::max<std::int64_t>(markets[0].total, 0);
  const int height = static_cast<int>(markets.size()) * kRowHeight + 8;
  std::string svg =
      "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title\" "
      "viewBox=\"0 0 " +
      std::to_string(kLabelWidth + kBarWidth + 130) + " " + std::to_string(height) +
      "\" width=\"100%\" preserveAspectRatio=\"xMinYMin "
      "meet\"><title id=\"chart-title\">Spend by market in " +
      escapeHtml(account.currency) + "; the table below has the figures</title>";
  int y = 4;
  for (const MarketTotal& market : markets) {
    svg += "<g><text x=\"" + std::to_string(kLabelWidth - 8) + "\" y=\"" + std::to_string(y + 18) +
           "\" text-anchor=\"end\" class=\"label\">" + escapeHtml(market.market) + "</text>";
    int x = kLabelWidth;
    for (int c = 0; c < 6; ++c) {
      const int width = pixels(market.by_category[c], largest, kBarWidth);
      if (width == 0) continue;
      svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y + 4) + "\" width=\"" +
             std::to_string(width) + "\" height=\"" + std::to_string(kRowHeight - 8) +
             "\" class=\"cat-" + std::to_string(c) + "\"><title>" + escapeHtml(market.market) +
             ", " + escapeHtml(c < 5 ? std::string(kCategories[c]) : std::string("other")) + ": " +
             escapeHtml(formatMoney(market.by_category[c], account.minor_units)) +
             "</title></rect>";
      x += width;
    }
    svg += "<text x=\"" + std::to_string(x + 6) + "\" y=\"" + std::to_string(y + 18) +
           "\" class=\"value\">" + escapeHtml(formatMoney(market.total, account.minor_units)) +
           "</text></g>";
    y += kRowHeight;
  }
  return svg + "</svg>";
}

std::string spendMain(const SpendInput& input) {
  const AccountView& account = input.account;
  std::string html = rangeForm(tenantPath(account.tenant_id, "spend"), input.range, true);
  std::int64_t total = 0;
  std::int64_t recipients = 0;
  for (const SpendRow& row : input.rows) {
    total += row.spent_micros;
    recipients += row.recipients;
  }
  html += "<p id=\"spend-total\">From " + escapeHtml(input.range.from) + " to " +
          escapeHtml(input.range.to) + ": <strong>" +
          escapeHtml(formatMoney(total, account.minor_units) + " " + account.currency) +
          "</strong> for " + std::to_string(recipients) +
          " recipients charged, net of refunds.</p>";
  if (input.rows.empty()) return html + "<p>Nothing was spent in this period.</p>";
  html += "<figure>" + spendChartSvg(input.rows, account) + "<figcaption><ul class=\"legend\">";
  for (int c = 0; c < 5; ++c) {
    html += "<li><span class=\"swatch cat-" + std::to_string(c) + "\"></span>" +
            std::string(kCategories[c]) + "</li>";
  }
  html += "</ul></figcaption></figure>";
  html +=
      "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Spend table\"><table "
      "id=\"spend\"><caption>Spend by market and category in " +
      escapeHtml(account.currency) +
      "</caption><thead><tr><th scope=\"col\">Market</th><th scope=\"col\">Category</th>"
      "<th scope=\"col\" class=\"num\">Recipients</th><th scope=\"col\" class=\"num\">Spent"
      "</th></tr></thead><tbody>";
  for (const SpendRow& row : input.rows) {
    html += "<tr><td>" + escapeHtml(row.market) + "</td><td>" + escapeHtml(row.category) +
            "</td><td class=\"num\">" + std::to_string(row.recipients) + "</td><td class=\"num\">" +
            escapeHtml(formatMoney(row.spent_micros, account.minor_units)) + "</td></tr>";
  }
  return html + "</tbody></table></div>";
}

}  // namespace creditgate::server
