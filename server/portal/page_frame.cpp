#include "page_frame.hpp"

#include "html.hpp"

namespace creditgate::server {
namespace {

struct Tab {
  std::string_view id;
  std::string_view label;
};
constexpr Tab kTenantTabs[] = {{"overview", "Overview"},
                               {"ledger", "Ledger"},
                               {"batches", "Batches"},
                               {"spend", "Spend"},
                               {"notifications", "Notifications"}};

std::string tabLink(const std::string& href, std::string_view label, bool active) {
  return "<li><a href=\"" + escapeHtml(href) + "\"" + (active ? " aria-current=\"page\"" : "") +
         ">" + std::string(label) + "</a></li>";
}

}  // namespace

std::string tenantPath(std::string_view tenant, std::string_view tab) {
  std::string path = "/portal/t/" + urlEncode(tenant) + "/";
  if (!tab.empty() && tab != "overview") path += tab;
  return path;
}

std::string timeHtml(std::string_view iso) {
  std::string shown(iso);
  if (shown.size() == 20 && shown[10] == 'T' && shown.back() == 'Z') {
    shown[10] = ' ';
    shown.pop_back();
  }
  return "<time datetime=\"" + escapeHtml(iso) + "\">" + escapeHtml(shown) + "</time>";
}

std::string csrfField(std::string_view csrf) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + escapeHtml(csrf) + "\">";
}

std::string renderPage(const PageFrame& frame, std::string_view main_html) {
  std::string html;
  html.reserve(main_html.size() + 4096);
  html +=
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>";
  html += escapeHtml(frame.title);
  html +=
      " · creditgate</title>"
      "<link rel=\"stylesheet\" href=\"/portal/static/portal.css\">"
      "<script src=\"/portal/static/portal.js\" defer></script></head><body>"
      "<a class=\"skip\" href=\"#main\">Skip to content</a>"
      "<header class=\"top\"><a class=\"brand\" href=\"/portal/\">creditgate</a>";
  if (frame.user) {
    html += "<nav aria-label=\"Account\" class=\"account\"><span class=\"who\">";
    html += escapeHtml(frame.user->email);
    html += frame.user->isAdmin() ? " (admin)" : "";
    html += "</span>";
    if (frame.user->isAdmin()) html += "<a href=\"/portal/tenants\">All tenants</a>";
    html += "<form method=\"post\" action=\"/portal/logout\">" + csrfField(frame.csrf) +
            "<button type=\"submit\">Log out</button></form>"
            "<form method=\"post\" action=\"/portal/logout\">" +
            csrfField(frame.csrf) +
            "<input type=\"hidden\" name=\"everywhere\" value=\"1\">"
            "<button type=\"submit\" class=\"secondary\">Log out everywhere</button></form>"
            "</nav>";
  }
  html += "</header>";
  if (!frame.tenant.empty()) {
    html += "<nav aria-label=\"Tenant pages\" class=\"tabs\"><ul>";
    for (const Tab& tab : kTenantTabs) {
      html += tabLink(tenantPath(frame.tenant, tab.id), tab.label, frame.active_tab == tab.id);
    }
    html += "</ul></nav>";
  }
  html += "<main id=\"main\"><h1>";
  html += escapeHtml(frame.title);
  html += "</h1>";
  if (!frame.notice.empty()) {
    html += "<p class=\"notice\" role=\"status\">" + escapeHtml(frame.notice) + "</p>";
  }
  if (!frame.error.empty()) {
    html += "<p class=\"error\" role=\"alert\">" + escapeHtml(frame.error) + "</p>";
  }
  html += main_html;
  html +=
      "</main><footer><p>Amounts are exact, in the account's currency. Times are UTC.</p>"
      "</footer></body></html>\n";
  return html;
}

}  // namespace creditgate::server
