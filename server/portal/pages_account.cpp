#include "pages_account.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
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
          "credit (one per line)</label>"
          "<span class=\"hint\" id=\"contacts-hint\">At most 10, each one of: "
          "<code>email:name@example.com</code> (a mail); <code>webhook:https://hooks.example.com/"
          "credit</code> (a signed POST; it gets a signing secret, shown on the notifications "
          "page; <code>http://</code> only to 127.0.0.1, localhost or [::1]); <code>host</code> "
          "(the gateway's own notifier). Other text goes to the gateway's notifier as it "
          "is.</span>";
  if (!input.contacts.error.empty()) {
    html += "<span class=\"field-error\" id=\"contacts-error\" role=\"alert\">" +
            escapeHtml(input.contacts.error) + "</span>";
  }
  html +=
      "<textarea id=\"contacts-contacts\" name=\"contacts\" rows=\"4\" "
      "autocomplete=\"off\" spellcheck=\"false\"" +
      std::string(input.contacts.error.empty()
                      ? " aria-describedby=\"contacts-hint\""
                      : " aria-invalid=\"true\" aria-describedby=\"contacts-hint "
                        "contacts-error\" autofocus") +
      ">" + escapeHtml(input.contacts.value("contacts")) +
      "</textarea></p><p><button type=\"submit\">Save contacts</button></p></form>";
  html += "</section>";
  return html;
}

// What apply_tenant_contacts (sql/023) writes into a pending delivery whose channel it removes.
constexpr std::string_view kChannelRemoved = "the channel was removed from the tenant's contacts";

// Seconds since 1970 of an ISO 8601 UTC instant as PortalStore writes them
// ("2026-11-30T08:46:18Z"); nullopt for anything else.
std::optional<std::int64_t> isoSeconds(std::string_view iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (iso.size() != 20 || std::sscanf(std::string(iso).c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo,
                                      &d, &h, &mi, &sec) != 6) {
    return std::nullopt;
  }
  const std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!day.ok()) return std::nullopt;
  return std::chrono::sys_days(day).time_since_epoch() / std::chrono::seconds(1) + h * 3600 +
         mi * 60 + sec;
}

// An instant to the minute: "<time datetime=…>2026-11-30 12:03</time> UTC", or the time of day
// alone when `same_day_as` (ISO) is the same UTC day.
std::string minuteHtml(std::string_view iso, std::string_view same_day_as = "") {
  if (iso.size() != 20 || iso[10] != 'T') return escapeHtml(iso);
  const bool same_day = same_day_as.size() == 20 && same_day_as.substr(0, 10) == iso.substr(0, 10);
  const std::string shown =
      same_day ? std::string(iso.substr(11, 5))
               : std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 5));
  return "<time datetime=\"" + escapeHtml(iso) + "\">" + escapeHtml(shown) + "</time> UTC";
}

// "35 min", "5 h", "3 days": how long a delivery was tried.
std::string durationText(std::int64_t seconds) {
  if (seconds < 3600) return std::to_string(std::max<std::int64_t>(seconds / 60, 1)) + " min";
  if (seconds < 48 * 3600) return std::to_string((seconds + 1800) / 3600) + " h";
  return std::to_string((seconds + 43200) / 86400) + " days";
}

std::string attemptsText(int attempts) {
  return std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
}

// The last answer of an email or webhook attempt: ", last answer HTTP 500" (or SMTP 451), or
// ", no answer" (a timeout, a refused connection).
std::string answerText(const DeliveryRow& delivery) {
  if (!delivery.last_status) return ", no answer";
  return (delivery.kind == "email" ? ", last answer SMTP " : ", last answer HTTP ") +
         std::to_string(*delivery.last_status);
}

// Whether an error only repeats the status answerText shows: "HTTP 503" (or "SMTP 451", or the
// bare number) beside "last answer HTTP 503" adds nothing, so it is left out.
bool errorRepeatsTheAnswer(const DeliveryRow& delivery) {
  if (!delivery.last_status) return false;
  std::string_view error = delivery.last_error;
  const std::size_t first = error.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return true;
  error = error.substr(first, error.find_last_not_of(" \t\r\n") - first + 1);
  const std::string status = std::to_string(*delivery.last_status);
  return error == status || error == "HTTP " + status || error == "SMTP " + status;
}

// The host's notify() is told its text after "host:" (or a legacy contact as it is).
std::string hostText(const std::string& contact) {
  if (contact == "host") return "";
  if (contact.starts_with("host:")) return contact.substr(5);
  return contact;
}

const WebhookView* webhookOf(const std::vector<WebhookView>& webhooks, std::string_view contact) {
  if (!contact.starts_with("webhook:")) return nullptr;
  const std::string_view url = contact.substr(8);
  for (const WebhookView& webhook : webhooks) {
    if (webhook.url == url) return &webhook;
  }
  return nullptr;
}

// A contact's line in the Channels section: its kind, and for a webhook whether it is on and the
// secrets to check its signatures with.
std::string channelItem(const std::string& contact, const std::vector<WebhookView>& webhooks) {
  std::string html = "<li>";
  if (contact.starts_with("email:")) {
    return html + "<strong>Email</strong> " + escapeHtml(shortText(contact.substr(6), 254)) +
           "</li>";
  }
  if (!contact.starts_with("webhook:")) {
    const std::string text = hostText(contact);
    html += "<strong>Gateway notifier</strong>";
    if (!text.empty()) html += " " + escapeHtml(shortText(text, 200));
    return html +
           " <span class=\"hint\">(the gateway's own notice, as its operator set it "
           "up)</span></li>";
  }
  html += "<strong>Webhook</strong> " + escapeHtml(webhookUrlShown(contact.substr(8)));
  const WebhookView* webhook = webhookOf(webhooks, contact);
  if (!webhook) return html + ": no signing secret yet (reload the page).</li>";
  if (webhook->disabled_at) {
    html += ": <strong>disabled</strong> since " + minuteHtml(*webhook->disabled_at);
    if (!webhook->disabled_reason.empty()) {
      html += " (" + escapeHtml(shortText(webhook->disabled_reason, 120)) + ")";
    }
    html += "; nothing is sent to it until an admin enables it again.";
  } else {
    html += ": active.";
  }
  if (webhook->secrets.empty()) return html + " No signing secret is valid now.</li>";
  if (webhook->secrets.size() == 1 && !webhook->secrets.front().expires_at) {
    return html + " Signing secret: <code>" + escapeHtml(webhook->secrets.front().secret) +
           "</code></li>";
  }
  html += " Signing secrets (each request is signed with every one):<ul class=\"plain\">";
  for (const WebhookSecretView& secret : webhook->secrets) {
    html += "<li><code>" + escapeHtml(secret.secret) + "</code> " +
            (secret.expires_at ? "valid until " + minuteHtml(*secret.expires_at)
                               : std::string("current")) +
            "</li>";
  }
  return html + "</ul></li>";
}

std::string channelsSection(const NotificationsInput& input) {
  const std::vector<std::string>& contacts = input.account.contacts;
  std::string html =
      "<section aria-labelledby=\"channels-heading\" id=\"channels\"><h2 "
      "id=\"channels-heading\">Channels</h2>";
  if (contacts.empty()) {
    html +=
        "<p>No contact is listed: each notification goes to the gateway's own notifier only. An "
        "admin can add an email address or a webhook on the overview.</p>";
  } else {
    html += "<ul class=\"plain channels\">";
    bool any_webhook = false;
    for (const std::string& contact : contacts) {
      html += channelItem(contact, input.webhooks);
      any_webhook = any_webhook || contact.starts_with("webhook:");
    }
    html += "</ul>";
    if (any_webhook) {
      html +=
          "<p class=\"hint\" id=\"webhook-verify\">Webhooks are signed as Standard Webhooks says "
          "(https://www.standardwebhooks.com/): check each POST with the secret above, from its "
          "headers <code>webhook-id</code>, <code>webhook-timestamp</code> and "
          "<code>webhook-signature</code> (any Standard Webhooks library does it). During a "
          "rotation both secrets sign: accept either until the old one expires.</p>";
    }
  }
  return html + "</section>";
}

}  // namespace

std::string shortText(std::string_view text, std::size_t max_chars) {
  std::string flat;
  bool space = false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || c == ' ') {
      space = !flat.empty();
      continue;
    }
    if (space) flat += ' ';
    space = false;
    flat += c;
  }
  // Characters are counted as UTF-8 lead bytes; a cut falls before a lead byte, never inside one.
  std::size_t chars = 0;
  for (std::size_t i = 0; i < flat.size(); ++i) {
    if ((static_cast<unsigned char>(flat[i]) & 0xC0) == 0x80) continue;
    if (++chars == max_chars) {
      std::size_t next = i + 1;
      while (next < flat.size() && (static_cast<unsigned char>(flat[next]) & 0xC0) == 0x80) ++next;
      if (next == flat.size()) return flat;  // exactly max_chars
      flat.resize(i);                        // the last character makes room for the ellipsis
      return flat + "\u2026";
    }
  }
  return flat;
}

std::string webhookUrlShown(std::string_view url) {
  // plugin/delivery/channel.cpp's describeChannel keeps the same part for the logs; the server
  // does not link that layer (it would bring its SMTP and HTTP clients), so the rule is here too.
  url = url.substr(0, url.find_first_of("?#"));
  std::string shown(url);
  const std::size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t path = std::min(url.find('/', start), url.size());
    const std::size_t at = url.substr(start, path - start).rfind('@');
    if (at != std::string_view::npos) {
      shown = std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
    }
  }
  return shortText(shown, 200);
}

std::string channelLabel(const std::string& contact) {
  if (contact.starts_with("email:")) return "Email to " + shortText(contact.substr(6), 254);
  if (contact.starts_with("webhook:")) return "Webhook " + webhookUrlShown(contact.substr(8));
  const std::string text = hostText(contact);
  return text.empty() ? "Gateway notifier" : "Gateway notifier (" + shortText(text, 200) + ")";
}

std::string deliveryHtml(const DeliveryRow& delivery, const std::string& event_created_at,
                         const std::vector<WebhookView>& webhooks) {
  const bool host = delivery.kind != "email" && delivery.kind != "webhook";
  std::string html = escapeHtml(channelLabel(delivery.channel)) + ": ";
  // The error of an email or webhook attempt, short; never the host's (it may hold internals).
  const std::string error =
      host || delivery.last_error.empty() || errorRepeatsTheAnswer(delivery)
          ? std::string()
          : "<span class=\"reason\">" + escapeHtml(shortText(delivery.last_error, 120)) + "</span>";
  if (delivery.state == "delivered") {
    html += "delivered";
    if (delivery.delivered_at) html += " " + minuteHtml(*delivery.delivered_at);
    return html;
  }
  if (delivery.state == "pending") {
    const std::string last = delivery.last_attempt_at.value_or("");
    const std::string next = delivery.next_attempt_at.value_or("");
    if (delivery.attempts == 0) {
      html += "waiting to be sent";
      if (!next.empty()) html += ", first try " + minuteHtml(next);
      return html;
    }
    if (!last.empty() && !next.empty() && next <= last) {
      // Claimed and not finished: its due time was passed when the relay took it.
      return html + "attempt " + std::to_string(delivery.attempts) + " under way";
    }
    html += "retrying — " + attemptsText(delivery.attempts);
    if (!host) html += answerText(delivery);
    if (!next.empty()) html += ", next try " + minuteHtml(next, last);
    if (!error.empty()) html += ". Last error: " + error;
    return html;
  }
  if (delivery.state == "failed") {
    if (delivery.last_error == kChannelRemoved) {
      return html + "not sent: the channel was removed from the contacts";
    }
    // How long it was tried: from the event to the last attempt (-1: not known).
    std::int64_t tried = -1;
    if (const auto from = isoSeconds(event_created_at); from && delivery.last_attempt_at) {
      tried = isoSeconds(*delivery.last_attempt_at).value_or(*from - 1) - *from;
    }
    html += "failed after ";
    if (tried >= 60) {
      html += durationText(tried) + " (" + attemptsText(delivery.attempts) + ")";
    } else {
      html += attemptsText(delivery.attempts);
    }
    if (!host) html += answerText(delivery);
    if (!error.empty()) html += " — " + error;
    return html;
  }
  if (delivery.state == "disabled") {
    if (delivery.last_status) {
      return html + "endpoint disabled (it answered " + std::to_string(*delivery.last_status) + ")";
    }
    html += "not sent: the endpoint is disabled";
    const WebhookView* webhook = webhookOf(webhooks, delivery.channel);
    if (webhook && !webhook->disabled_reason.empty()) {
      html += " (" + escapeHtml(shortText(webhook->disabled_reason, 120)) + ")";
    }
    return html;
  }
  return html + escapeHtml(delivery.state);
}

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
      html += "<li>" + escapeHtml(channelLabel(contact)) + "</li>";
    }
    html += "</ul>";
    if (input.new_webhook) {
      // The secret itself stays on one page (the notifications page, for the tenant's users too).
      const std::string channels = tenantPath(account.tenant_id, "notifications") + "#channels";
      for (const std::string& contact : account.contacts) {
        if (!contact.starts_with("webhook:")) continue;
        html += "<p class=\"notice webhook-secret-note\">Signing secret for " +
                escapeHtml(webhookUrlShown(contact.substr(8))) + ": see the <a href=\"" +
                escapeHtml(channels) + "\">Channels section of the notifications page</a>.</p>";
      }
    }
  }
  html += "</section>";
  if (input.admin) html += adminForms(input);
  return html;
}

std::string notificationsMain(const NotificationsInput& input) {
  std::string html =
      "<p>Messages about this account's credit, sent to each of its channels, and how each "
      "delivery went.</p>";
  html += channelsSection(input);
  html +=
      "<section aria-labelledby=\"history-heading\"><h2 id=\"history-heading\">Sent "
      "notifications</h2>";
  if (input.rows.empty()) return html + "<p>No notification yet.</p></section>";
  html +=
      "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
      "aria-label=\"Notifications\"><table id=\"notifications\"><caption>Notifications, newest "
      "first, with their delivery to each channel</caption><thead>"
      "<tr><th scope=\"col\">When</th><th scope=\"col\">What</th><th scope=\"col\">Delivery"
      "</th><th scope=\"col\">Details</th></tr></thead><tbody>";
  for (const NotificationRow& row : input.rows) {
    html += "<tr><td>" + timeHtml(row.created_at) + "</td><td>" +
            escapeHtml(notificationTitle(row.type)) + "</td><td>";
    if (!row.deliveries.empty()) {
      html += "<ul class=\"plain deliveries\">";
      for (const DeliveryRow& delivery : row.deliveries) {
        html += "<li class=\"delivery-" + escapeHtml(delivery.state) + "\">" +
                deliveryHtml(delivery, row.created_at, input.webhooks) + "</li>";
      }
      html += "</ul>";
    } else if (row.sent_at) {
      html += "sent " + timeHtml(*row.sent_at);  // before deliveries were recorded per channel
    } else {
      html += "waiting to be sent";
      if (row.attempts > 0) html += " (" + attemptsText(row.attempts) + " so far)";
    }
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
  return html + "</section>";
}

}  // namespace creditgate::server
