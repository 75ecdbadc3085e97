#include "pages_history.hpp"

#include "html.hpp"
#include "money_text.hpp"
#include "page_frame.hpp"

namespace creditgate::server {
namespace {

std::string amountCell(std::int64_t micros, const AccountView& account) {
  return "<td class=\"num\">" + escapeHtml(formatMoney(micros, account.minor_units)) + "</td>";
}

std::string textCell(const std::string& text) {
  return "<td>" + escapeHtml(text) + "</td>";
}

std::string decisionLabel(const std::string& decision) {
  if (decision == "allow") return "sent";
  if (decision == "allow_flagged") return "sent, flagged";
  if (decision == "allow_partial") return "partly sent";
  if (decision == "block") return "blocked";
  if (decision == "void") return "voided";
  return decision;
}

std::string withRange(std::string path, const DayRange& range, const std::string& extra) {
  std::string query = rangeQuery(range);
  if (!extra.empty()) query += (query.empty() ? "" : "&") + extra;
  if (!query.empty()) path += "?" + query;
  return path;
}

}  // namespace

std::string rangeQuery(const DayRange& range) {
  std::string query;
  if (!range.from.empty()) query += "from=" + urlEncode(range.from);
  if (!range.to.empty())
    query += std::string(query.empty() ? "" : "&") + "to=" + urlEncode(range.to);
  return query;
}

std::string rangeForm(const std::string& action, const DayRange& range, bool required) {
  const std::string need = required ? " required" : "";
  return "<form method=\"get\" action=\"" + escapeHtml(action) +
         "\" class=\"filter\"><p class=\"field\"><label for=\"from\">From (UTC day)</label>"
         "<input type=\"date\" id=\"from\" name=\"from\" value=\"" +
         escapeHtml(range.from) + "\"" + need +
         "></p><p class=\"field\"><label for=\"to\">To (UTC day, included)</label>"
         "<input type=\"date\" id=\"to\" name=\"to\" value=\"" +
         escapeHtml(range.to) + "\"" + need +
         "></p><p><button type=\"submit\">Show</button></p></form>";
}

std::string ledgerMain(const LedgerInput& input) {
  const AccountView& account = input.account;
  const std::string path = tenantPath(account.tenant_id, "ledger");
  std::string html = rangeForm(path, input.range, false);
  html += "<p><a id=\"csv\" href=\"" +
          escapeHtml(withRange(tenantPath(account.tenant_id, "ledger.csv"), input.range, "")) +
          "\" download>Download this range as CSV</a> (every entry, not only this page)</p>";
  if (input.rows.empty()) {
    html += "<p>No ledger entry" +
            std::string(input.paged ? " older than these." : " in this range.") + "</p>";
  } else {
    html +=
        "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Ledger "
        "table\"><table id=\"ledger\"><caption>Ledger in " +
        escapeHtml(account.currency) +
        ", newest first</caption><thead><tr><th scope=\"col\">Entry</th>"
        "<th scope=\"col\">When</th><th scope=\"col\">Kind</th>"
        "<th scope=\"col\" class=\"num\">Amount</th><th scope=\"col\" class=\"num\">Balance "
        "after</th><th scope=\"col\">Batch</th><th scope=\"col\">Recipient</th>"
        "<th scope=\"col\">Reference</th><th scope=\"col\">Note</th></tr></thead><tbody>";
    for (const LedgerRow& row : input.rows) {
      html += "<tr><td>" + std::to_string(row.entry_id) + "</td><td>" + timeHtml(row.created_at) +
              "</td>" + textCell(row.kind) + amountCell(row.amount_micros, account) +
              amountCell(row.balance_after_micros, account) + textCell(row.batch_id) +
              textCell(row.recipient) + textCell(row.reference) + textCell(row.note) + "</tr>";
    }
    html += "</tbody></table></div>";
  }
  html += "<nav aria-label=\"Ledger pages\" class=\"pager\">";
  if (input.paged) {
    html += "<a href=\"" + escapeHtml(withRange(path, input.range, "")) + "\">Newest entries</a>";
  }
  if (input.has_older) {
    html += "<a rel=\"next\" href=\"" +
            escapeHtml(withRange(path, input.range,
                                 "before=" + std::to_string(input.rows.back().entry_id))) +
            "\">Older entries</a>";
  }
  html += "</nav>";
  return html;
}

std::string batchesMain(const BatchesInput& input) {
  const AccountView& account = input.account;
  const std::string path = tenantPath(account.tenant_id, "batches");
  std::string html = rangeForm(path, input.range, false);
  if (input.rows.empty()) {
    return html + "<p>No batch" + (input.paged ? " older than these." : " in this range.") + "</p>";
  }
  html +=
      "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Batches table\">"
      "<table id=\"batches\"><caption>Batches in " +
      escapeHtml(account.currency) +
      ", newest first</caption><thead><tr><th scope=\"col\">When</th>"
      "<th scope=\"col\">Batch</th><th scope=\"col\">Outcome</th>"
      "<th scope=\"col\" class=\"num\">Sent / asked</th>"
      "<th scope=\"col\" class=\"num\">Charged</th>"
      "<th scope=\"col\" class=\"num\">Credit it lacked</th></tr></thead><tbody>";
  for (const BatchRow& row : input.rows) {
    const std::string price =
        formatMoneyText(row.price_micros, account.minor_units).value_or(row.price_micros);
    const std::string charged = formatMoney(row.charged_micros, account.minor_units);
    std::string lacked;
    if (row.shortfall_micros) {
      lacked = "needed " +
               formatMoneyText(*row.shortfall_micros, account.minor_units)
                   .value_or(*row.shortfall_micros) +
               " more";
    }
    std::string about =
        row.campaign_id.empty() ? row.template_name : row.campaign_id + " · " + row.template_name;
    about += " · " + row.category;
    html += "<tr class=\"decision-" + escapeHtml(row.decision) + "\"><td>" + timeHtml(row.at) +
            "</td><td><strong>" + escapeHtml(row.batch_id) + "</strong><br><span class=\"hint\">" +
            escapeHtml(about) + "</span></td><td>" + escapeHtml(decisionLabel(row.decision)) +
            (row.reason.empty() || row.reason == "ok"
                 ? std::string()
                 : "<br><span class=\"reason\">" + escapeHtml(row.reason) + "</span>") +
            "</td><td class=\"num\">" + std::to_string(row.recipients_allowed) + " / " +
            std::to_string(row.recipients) + "</td><td class=\"num\">" + escapeHtml(charged) +
            (price == charged ? std::string()
                              : "<br><span class=\"hint\">of " + escapeHtml(price) + "</span>") +
            "</td><td class=\"num\">" + escapeHtml(lacked) + "</td></tr>";
  }
  html += "</tbody></table></div><nav aria-label=\"Batch pages\" class=\"pager\">";
  if (input.paged) {
    html += "<a href=\"" + escapeHtml(withRange(path, input.range, "")) + "\">Newest batches</a>";
  }
  if (input.has_older) {
    const BatchRow& last = input.rows.back();
    html += "<a rel=\"next\" href=\"" +
            escapeHtml(withRange(
                path, input.range,
                "before_at=" + urlEncode(last.cursor_at) + "&before_key=" + urlEncode(last.key))) +
            "\">Older batches</a>";
  }
  return html + "</nav>";
}

}  // namespace creditgate::server
