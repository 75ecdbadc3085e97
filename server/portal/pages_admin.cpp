#include "pages_admin.hpp"

#include <algorithm>

#include "html.hpp"
#include "money_text.hpp"
#include "page_frame.hpp"

namespace creditgate::server {
namespace {

struct Column {
  std::string_view sort;
  std::string_view label;
  bool numeric;
};
constexpr Column kColumns[] = {{"tenant", "Tenant", false},
                               {"currency", "Currency", false},
                               {"balance", "Balance", true},
                               {"spent_today", "Spent today", true},
                               {"level", "Level", false}};

// ok 0, warning 1, critical 2, depleted 3: the order the level column sorts in.
int levelRank(std::string_view level) {
  constexpr std::string_view kLevels[] = {"ok", "warning", "critical", "depleted"};
  return static_cast<int>(std::find(std::begin(kLevels), std::end(kLevels), level) -
                          std::begin(kLevels));
}

bool containsIgnoringCase(std::string_view text, std::string_view part) {
  const auto lower = [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  };
  return std::search(text.begin(), text.end(), part.begin(), part.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

bool matches(const TenantListRow& row, std::string_view query) {
  if (query.empty() || containsIgnoringCase(row.tenant.tenant_id, query)) return true;
  return std::any_of(
      row.tenant.contacts.begin(), row.tenant.contacts.end(),
      [&](const std::string& contact) { return containsIgnoringCase(contact, query); });
}

std::string sortLink(const TenantsInput& input, const Column& column) {
  const bool current = input.sort == column.sort;
  const bool next_descending = current ? !input.descending : column.numeric;
  std::string href =
      "/portal/tenants?sort=" + std::string(column.sort) + (next_descending ? "&order=desc" : "");
  if (!input.query.empty()) href += "&q=" + urlEncode(input.query);
  return "<a href=\"" + escapeHtml(href) + "\" data-sort=\"" + std::string(column.sort) + "\">" +
         std::string(column.label) + "</a>";
}

}  // namespace

bool isTenantSort(std::string_view sort) {
  return std::any_of(std::begin(kColumns), std::end(kColumns),
                     [&](const Column& column) { return column.sort == sort; });
}

std::vector<TenantListRow> tenantsShown(const TenantsInput& input) {
  std::vector<TenantListRow> rows;
  for (const TenantListRow& row : input.rows) {
    if (matches(row, input.query)) rows.push_back(row);
  }
  const bool money = input.sort == "balance" || input.sort == "spent_today";
  const auto key_less = [&](const TenantListRow& a, const TenantListRow& b) {
    // Amounts of different currencies are not comparable: by currency, then by amount.
    if (money && a.tenant.currency != b.tenant.currency)
      return a.tenant.currency < b.tenant.currency;
    if (input.sort == "balance" && a.tenant.balance_micros != b.tenant.balance_micros)
      return a.tenant.balance_micros < b.tenant.balance_micros;
    if (input.sort == "spent_today" && a.tenant.spent_today_micros != b.tenant.spent_today_micros)
      return a.tenant.spent_today_micros < b.tenant.spent_today_micros;
    if (input.sort == "level" && a.level != b.level) return levelRank(a.level) < levelRank(b.level);
    if (input.sort == "currency" && a.tenant.currency != b.tenant.currency)
      return a.tenant.currency < b.tenant.currency;
    return false;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const TenantListRow& a, const TenantListRow& b) {
    if (key_less(a, b)) return !input.descending;
    if (key_less(b, a)) return input.descending;
    // Ties, and the tenant column: by id, in the order asked.
    return input.descending && input.sort == "tenant" ? a.tenant.tenant_id > b.tenant.tenant_id
                                                      : a.tenant.tenant_id < b.tenant.tenant_id;
  });
  return rows;
}

std::string tenantsMain(const TenantsInput& input) {
  const std::vector<TenantListRow> rows = tenantsShown(input);
  std::string html =
      "<form method=\"get\" action=\"/portal/tenants\" class=\"filter\" role=\"search\">"
      "<p class=\"field\"><label for=\"q\">Search tenants or contacts</label><input "
      "type=\"search\" "
      "id=\"q\" name=\"q\" value=\"" +
      escapeHtml(input.query) + "\"></p><input type=\"hidden\" name=\"sort\" value=\"" +
      escapeHtml(input.sort) + "\">" +
      (input.descending ? "<input type=\"hidden\" name=\"order\" value=\"desc\">" : "") +
      "<p><button type=\"submit\">Search</button></p></form>";
  html += "<p id=\"tenant-count\">" + std::to_string(rows.size()) + " of " +
          std::to_string(input.rows.size()) + " tenants.</p>";
  html +=
      "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Tenants\"><table "
      "id=\"tenants\" class=\"sortable\"><caption>Tenants, "
      "sorted by " +
      escapeHtml(input.sort) + (input.descending ? ", descending" : "") + "</caption><thead><tr>";
  for (const Column& column : kColumns) {
    const bool current = input.sort == column.sort;
    html += "<th scope=\"col\"" + std::string(column.numeric ? " class=\"num\"" : "") +
            (current ? std::string(" aria-sort=\"") +
                           (input.descending ? "descending" : "ascending") + "\""
                     : std::string()) +
            ">" + sortLink(input, column) + "</th>";
  }
  html += "<th scope=\"col\">Contacts</th></tr></thead><tbody>";
  for (const TenantListRow& row : rows) {
    const TenantRow& t = row.tenant;
    html += "<tr><th scope=\"row\" data-value=\"" + escapeHtml(t.tenant_id) + "\"><a href=\"" +
            escapeHtml(tenantPath(t.tenant_id)) + "\">" + escapeHtml(t.tenant_id) +
            "</a></th><td>" + escapeHtml(t.currency) + "</td><td class=\"num\" data-value=\"" +
            std::to_string(t.balance_micros) + "\">" +
            escapeHtml(formatMoney(t.balance_micros, t.minor_units)) +
            "</td><td class=\"num\" data-value=\"" + std::to_string(t.spent_today_micros) + "\">" +
            escapeHtml(formatMoney(t.spent_today_micros, t.minor_units)) +
            "</td><td data-value=\"" + std::to_string(levelRank(row.level)) +
            "\"><span class=\"pill level-" + escapeHtml(row.level) + "\">" + escapeHtml(row.level) +
            "</span></td><td>";
    for (std::size_t i = 0; i < t.contacts.size(); ++i) {
      // As typed, but a webhook without its query string (it may carry a token).
      const std::string& contact = t.contacts[i];
      html += (i ? ", " : "") +
              escapeHtml(contact.starts_with("webhook:")
                             ? "webhook:" + webhookUrlShown(std::string_view(contact).substr(8))
                             : contact);
    }
    html += "</td></tr>";
  }
  html += "</tbody></table></div>";

  const FormState& form = input.create;
  html +=
      "<form method=\"post\" action=\"/portal/tenants\" class=\"card\" id=\"create-tenant\">"
      "<h2>Create a tenant</h2>" +
      csrfField(input.csrf);
  if (!form.error.empty()) {
    html +=
        "<p class=\"error\" role=\"alert\" id=\"create-error\">" + escapeHtml(form.error) + "</p>";
  }
  const auto input_field = [&](std::string_view name, std::string_view label,
                               std::string_view attributes) {
    const bool wrong = form.error_field == name;
    return "<p class=\"field\"><label for=\"create-" + std::string(name) + "\">" +
           std::string(label) + "</label><input id=\"create-" + std::string(name) + "\" name=\"" +
           std::string(name) + "\" value=\"" + escapeHtml(form.value(name)) + "\" " +
           std::string(attributes) +
           (wrong ? " aria-invalid=\"true\" aria-describedby=\"create-error\" autofocus" : "") +
           "></p>";
  };
  html += input_field("tenant_id", "Tenant id", "required maxlength=\"64\" autocomplete=\"off\"");
  html += input_field("currency", "Currency (ISO 4217, such as USD)",
                      "required maxlength=\"3\" autocomplete=\"off\"");
  html += input_field("contact",
                      "Contact (optional: email:name@example.com, webhook:https://…, or host)",
                      "autocomplete=\"off\" maxlength=\"2000\"");
  html += "<p><button type=\"submit\">Create tenant</button></p></form>";
  return html;
}

}  // namespace creditgate::server
