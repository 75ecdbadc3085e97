#include "pages_account.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <vector>

#include "html.hpp"
#include "money_text.hpp"
#include "page_frame.hpp"

namespace creditgate::server {
namespace {

std::string money(std::int64_t micros, const AccountView& account) {
  return formatMoney(micros, account.minor_units) + " " + account.currency;
}

std::string policyText(const CategoryPolicyView& rule, const AccountView& account) {
  if (rule.on_insufficient_credit == "flag") {
    return "flag: send, and let the balance go down to " +
           money(-rule.overdraft_limit_micros, account);
  }
  if (rule.on_insufficient_credit == "partial") {
    return "partial: send to the recipients the credit covers, block the rest";
  }
  return "block: send nothing the credit does not cover";
}

std::string definition(std::string_view term, const std::string& value_html,
                       std::string_view id = "") {
  return "<div><dt>" + std::string(term) + "</dt><dd" +
         (id.empty() ? std::string() : " id=\"" + std::string(id) + "\"") + ">" + value_html +
         "</dd></div>";
}

// A labelled input; the error, when it is this field's, described by aria-describedby.
std::string field(const FormState& form, std::string_view form_id, std::string_view name,
                  std::string_view label, std::string_view attributes, std::string_view hint) {
  const std::string id = std::string(form_id) + "-" + std::string(name);
  const bool wrong = form.error_field == name;
  std::string html =
      "<p class=\"field\"><label for=\"" + id + "\">" + std::string(label) + "</label>";
  std::string described;
  if (!hint.empty()) {
    html += "<span class=\"hint\" id=\"" + id + "-hint\">" + std::string(hint) + "</span>";
    described = id + "-hint";
  }
  if (wrong) {
    html +=
        "<span class=\"field-error\" id=\"" + id + "-error\">" + escapeHtml(form.error) + "</span>";
    described += (described.empty() ? "" : " ") + id + "-error";
  }
  html += "<input id=\"" + id + "\" name=\"" + std::string(name) + "\" value=\"" +
          escapeHtml(form.value(name)) + "\" " + std::string(attributes);
  if (!described.empty()) html += " aria-describedby=\"" + described + "\"";
  if (wrong) html += " aria-invalid=\"true\" autofocus";
  html += "></p>";
  return html;
}

std::string adminForms(const OverviewInput& input) {
  const AccountView& account = input.account;
  std::string html =
      "<section aria-labelledby=\"admin-heading\" class=\"admin\">"
      "<h2 id=\"admin-heading\">Admin</h2>";
  html += "<form method=\"post\" action=\"" + escapeHtml(tenantPath(account.tenant_id, "topup")) +
          "\" class=\"card\"><h3>Add credit</h3>" + csrfField(input.csrf);
  if (input.top_up.error_field.empty() && !input.top_up.error.empty()) {
    html += "<p class=\"error\" role=\"alert\">" + escapeHtml(input.top_up.error) + "</p>";
  }
  html += field(input.top_up, "topup", "amount", "Amount (" + account.currency + ")",
                "inputmode=\"decimal\" autocomplete=\"off\" required",
                "An exact decimal, such as 250 or 12.50");
  html += field(input.top_up, "topup", "reference", "Reference",
                "autocomplete=\"off\" required maxlength=\"128\"",
                "Your invoice or payment id. Sending the same reference again adds nothing.");
  html += field(input.top_up, "topup", "note", "Note (optional)",
                "autocomplete=\"off\" maxlength=\"500\"", "");
  html += "<p><button type=\"submit\">Add credit</button></p></form>";

  html += "<form method=\"post\" action=\"" +
          escapeHtml(tenantPath(account.tenant_id, "contacts")) +
          "\" class=\"card\">"
          "<h3>Contacts</h3>" +
          csrfField(input.csrf) +
          "<p class=\"field\"><label for=\"contacts-contacts\">Who is told about this account's "
          "credit (one per line)</label>";
  if (!input.contacts.error.empty()) {
    html += "<span class=\"field-error\" id=\"contacts-error\">" +
            escapeHtml(input.contacts.error) + "</span>";
  }
  html += "<textarea id=\"contacts-contacts\" name=\"contacts\" rows=\"3\"" +
          std::string(input.contacts.error.empty()
                          ? ""
                          : " aria-invalid=\"true\" aria-describedby=\"contacts-error\"") +
          ">" + escapeHtml(input.contacts.value("contacts")) +
          "</textarea></p><p><button type=\"submit\">Save contacts</button></p></form>";
  html += "</section>";
  return html;
}

}  // namespace

std::string FormState::value(std::string_view field) const {
  for (const auto& [name, value] : values) {
    if (name == field) return value;
  }
  return "";
}

std::string levelMessage(const std::string& level, bool admin) {
  const std::string act = admin ? "add credit below" : "ask your admin to add credit";
  if (level == "warning") return "Credit is running low: " + act + " soon.";
  if (level == "critical") return "Credit is almost used up: " + act + " now to keep sending.";
  if (level == "depleted") {
    return "Credit is used up: batches are blocked or sent into the overdraft; " + act + ".";
  }
  return "";
}

std::string notificationTitle(const std::string& type) {
  if (type == "insufficient_credit") return "Credit did not cover a batch";
  if (type == "low_balance") return "Low balance";
  if (type == "depleted") return "Credit used up";
  if (type == "recovered") return "Balance back above its threshold";
  return type;
}

std::string notificationSummary(const std::string& payload_json, const AccountView& account) {
  boost::json::error_code error;
  const boost::json::value payload = boost::json::parse(payload_json, error);
  if (error || !payload.is_object()) return payload_json;
  std::string out;
  for (const auto& [key, value] : payload.as_object()) {
    std::string name(key);
    std::string shown;
    if (name.ends_with("_micros") && value.is_int64()) {
      name.resize(name.size() - 7);
      shown = money(value.as_int64(), account);
    } else if (value.is_string()) {
      shown = std::string(value.as_string());
    } else if (value.is_int64() || value.is_uint64() || value.is_bool()) {
      shown = boost::json::serialize(value);
    } else if (value.is_array()) {
      for (const auto& item : value.as_array()) {
        if (item.is_string()) shown += (shown.empty() ? "" : ", ") + std::string(item.as_string());
      }
    }
    if (shown.empty()) continue;
    for (char& c : name) c = c == '_' ? ' ' : c;
    out += (out.empty() ? "" : "; ") + name + " " + shown;
  }
  return out;
}

std::string overviewMain(const OverviewInput& input) {
  const AccountView& account = input.account;
  std::string html;
  const std::string banner = levelMessage(input.level, input.admin);
  html += "<p class=\"banner level-" + escapeHtml(input.level) + "\" id=\"level\">";
  html += "<strong>Level: " + escapeHtml(input.level) + ".</strong> ";
  html += banner.empty() ? "The balance is above every low-balance threshold." : banner;
  html += "</p>";

  html += "<dl class=\"figures\">";
  html += definition(
      "Balance",
      "<span class=\"amount\">" + escapeHtml(money(account.balance_micros, account)) + "</span>",
      "balance");
  if (account.balance_micros < 0) {
    html +=
        definition("Debt (overdraft)", escapeHtml(money(-account.balance_micros, account)), "debt");
  }
  html += definition("Spent today", escapeHtml(money(account.spent_today_micros, account)),
                     "spent-today");
  html += definition("Spent in the last 30 days",
                     escapeHtml(money(account.spent_30_days_micros, account)), "spent-30-days");
  html += "</dl>";

  html +=
      "<section aria-labelledby=\"policy-heading\"><h2 id=\"policy-heading\">Policy in force"
      "</h2>";
  if (!input.policy) {
    html += "<p>The gate could not say which policy applies right now.</p>";
  } else {
    html +=
        "<p>When the credit does not cover a batch:</p><table class=\"policy\"><thead><tr>"
        "<th scope=\"col\">Categories</th><th scope=\"col\">What happens</th></tr></thead>"
        "<tbody>";
    // Categories with the same rule share a row: usually one row says it all.
    std::vector<std::pair<std::string, std::string>> rows;  // categories, what happens
    for (const CategoryPolicyView& rule : input.policy->categories) {
      const std::string text = policyText(rule, account);
      const auto same = std::find_if(rows.begin(), rows.end(),
                                     [&](const auto& row) { return row.second == text; });
      if (same == rows.end()) {
        rows.emplace_back(rule.category, text);
      } else {
        same->first += ", " + rule.category;
      }
    }
    for (const auto& [categories, text] : rows) {
      html += "<tr><th scope=\"row\">" + escapeHtml(categories) + "</th><td>" + escapeHtml(text) +
              "</td></tr>";
    }
    html += "</tbody></table><ul class=\"plain\">";
    html += "<li>If the ledger cannot be reached: " +
            std::string(input.policy->on_ledger_unavailable == "allow_flagged"
                            ? "batches are sent, flagged, and debited once it answers again"
                            : "batches are blocked") +
            ".</li>";
    if (input.policy->warning_micros) {
      html += "<li>Low-balance warning below " +
              escapeHtml(money(*input.policy->warning_micros, account)) + ".</li>";
    }
    if (input.policy->critical_micros) {
      html += "<li>Critical below " + escapeHtml(money(*input.policy->critical_micros, account)) +
              ".</li>";
    }
    html += "</ul><p class=\"hint\">Admins set the policy in the gate's config file.</p>";
  }
  html += "</section>";

  html += "<section aria-labelledby=\"contacts-heading\"><h2 id=\"contacts-heading\">Contacts</h2>";
  if (account.contacts.empty()) {
    html += "<p>No contact: nobody is told when credit runs low.</p>";
  } else {
    html += "<ul class=\"plain\" id=\"contacts\">";
    for (const std::string& contact : account.contacts) {
      html += "<li>" + escapeHtml(contact) + "</li>";
    }
    html += "</ul>";
  }
  html += "</section>";
  if (input.admin) html += adminForms(input);
  return html;
}

std::string notificationsMain(const NotificationsInput& input) {
  std::string html = "<p>Messages about this account's credit, sent to its contacts";
  if (!input.account.contacts.empty()) {
    html += " (";
    for (std::size_t i = 0; i < input.account.contacts.size(); ++i) {
      html += (i ? ", " : "") + escapeHtml(input.account.contacts[i]);
    }
    html += ")";
  }
  html += ".</p>";
  if (input.rows.empty()) return html + "<p>No notification yet.</p>";
  html +=
      "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
      "aria-label=\"Notifications\"><table><caption>Notifications, newest first</caption><thead>"
      "<tr><th scope=\"col\">When</th><th scope=\"col\">What</th><th scope=\"col\">Delivery"
      "</th><th scope=\"col\">Details</th></tr></thead><tbody>";
  for (const NotificationRow& row : input.rows) {
    html += "<tr><td>" + timeHtml(row.created_at) + "</td><td>" +
            escapeHtml(notificationTitle(row.type)) + "</td><td>";
    html += row.sent_at ? "sent " + timeHtml(*row.sent_at)
                        : "not yet (" + std::to_string(row.attempts) + " attempts so far)";
    html +=
        "</td><td>" + escapeHtml(notificationSummary(row.payload, input.account)) + "</td></tr>";
  }
  html += "</tbody></table></div>";
  if (input.has_older) {
    html += "<p><a rel=\"next\" href=\"" +
            escapeHtml(tenantPath(input.account.tenant_id, "notifications") +
                       "?before=" + std::to_string(input.rows.back().event_id)) +
            "\">Older notifications</a></p>";
  }
  return html;
}

}  // namespace creditgate::server
