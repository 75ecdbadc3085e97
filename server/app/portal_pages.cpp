// A tenant's pages and the admins' actions (PortalSite::Impl, see portal_site_impl.hpp).
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "decimal_micros.hpp"
#include "html.hpp"
#include "ledger_csv.hpp"
#include "page_frame.hpp"
#include "pages_history.hpp"
#include "pages_spend.hpp"
#include "portal_site_impl.hpp"
#include "session_token.hpp"

namespace creditgate::server {
namespace {

constexpr int kLedgerPage = 50;
constexpr int kBatchesPage = 50;
constexpr int kNotificationsPage = 50;
constexpr int kCsvChunk = 1000;  // the most portal_ledger gives at once
constexpr int kMaxSpendDays = 366;

using Days = std::chrono::sys_days;

std::optional<Days> parseDay(std::string_view text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 ||
      std::sscanf(std::string(text).c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      text[4] != '-' || text[7] != '-')
    return std::nullopt;
  const std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!day.ok() || y < 2000 || y > 2999) return std::nullopt;
  return Days(day);
}

std::string isoDay(Days day) {
  const std::chrono::year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

Days today() {
  return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
}

std::string fieldOr(const FormFields& fields, std::string_view name) {
  const auto found = fields.find(name);
  return found == fields.end() ? std::string() : found->second;
}

// A form value without the spaces a person types around it (or pastes with it).
std::string trimmedField(const FormFields& fields, std::string_view name) {
  std::string value = fieldOr(fields, name);
  const std::size_t first = value.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return value.substr(first, value.find_last_not_of(" \t\r\n") - first + 1);
}

// Why an amount typed into the top-up form is refused, in words that say what to type instead;
// nullopt when it is an amount the ledger takes.
std::optional<std::string> amountProblem(const std::string& text, std::int64_t& micros) {
  if (text.empty()) return "enter an amount, such as 250 or 12.50";
  if (text.front() == '-') return "must be more than 0";
  if (text.find(',') != std::string::npos) {
    return "write it without commas, with a dot before the decimals, such as 1250.50";
  }
  const auto parsed = parseDecimalMicros(text);
  if (std::holds_alternative<DecimalError>(parsed)) {
    return "write it with digits and at most one dot and 6 decimals, such as 250 or 12.50 "
           "(no currency sign, no exponent), up to 9223372036854";
  }
  micros = std::get<std::int64_t>(parsed);
  if (micros <= 0) return "must be more than 0";
  return std::nullopt;
}

// from/to of a query: each a real "YYYY-MM-DD" or absent; a 400 names the field and value.
DayRange dayRange(const FormFields& query) {
  DayRange range{fieldOr(query, "from"), fieldOr(query, "to")};
  for (const auto& [name, value] : {std::pair{"from", range.from}, std::pair{"to", range.to}}) {
    if (!value.empty() && !parseDay(value)) {
      throw PageRefusal{400, "Bad date",
                        std::string(name) + ": '" + value.substr(0, 40) +
                            "' is not a day written YYYY-MM-DD (years 2000 to 2999)"};
    }
  }
  if (!range.from.empty() && !range.to.empty() && range.from > range.to) {
    throw PageRefusal{400, "Bad date range", "from: " + range.from + " is after to: " + range.to};
  }
  return range;
}

std::optional<std::int64_t> positiveNumber(const FormFields& query, std::string_view name) {
  const std::string text = fieldOr(query, name);
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  bool ok = text.size() <= 18;
  for (const char c : text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) value = value * 10 + (c - '0');
  }
  if (!ok || value <= 0) {
    throw PageRefusal{
        400, "Bad request",
        std::string(name) + ": '" + text.substr(0, 40) + "' is not a positive whole number"};
  }
  return value;
}

// A file name for the download: the tenant id's safe characters only.
std::string csvFileName(const AccountView& account, const DayRange& range) {
  std::string name = "ledger-";
  for (const char c : account.tenant_id) {
    name +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  }
  if (!range.from.empty()) name += "-from-" + range.from;
  if (!range.to.empty()) name += "-to-" + range.to;
  return name + ".csv";
}

// Pages ask for one row more than they show: its presence is what says an older page exists.
template <typename Row>
bool keepOnePage(std::vector<Row>& rows, int page_size) {
  if (rows.size() <= static_cast<std::size_t>(page_size)) return false;
  rows.resize(static_cast<std::size_t>(page_size));
  return true;
}

// A reference for a new top-up form: a double submit of the same form sends it twice, and the
// ledger records it once.
std::string freshReference() {
  return "portal-" + isoDay(today()) + "-" + newSessionToken().substr(0, 10);
}

// The policy as the overview shows it; nullopt when the plugin could not say.
std::optional<PolicyView> policyView(const api::TenantPolicy& policy) {
  if (!policy.found) return std::nullopt;
  PolicyView view;
  for (std::uint32_t i = 0; i < policy.category_count && i < std::size(policy.categories); ++i) {
    const api::CategoryPolicy& rule = policy.categories[i];
    view.categories.push_back(CategoryPolicyView{rule.category,
                                                 api::creditPolicyName(rule.on_insufficient_credit),
                                                 rule.overdraft_limit_micros});
  }
  view.on_ledger_unavailable = policy.ledger_unavailable_policy;
  if (policy.warning_threshold_set) view.warning_micros = policy.warning_threshold_micros;
  if (policy.critical_threshold_set) view.critical_micros = policy.critical_threshold_micros;
  return view;
}

}  // namespace

std::optional<AccountView> PortalSite::Impl::accountOrNotFound(const Visit& visit,
                                                               const std::string& tenant) {
  // The database answers no row for a tenant this session may not see: the same 404 as for one
  // that does not exist, on every page, download and form.
  std::optional<AccountView> account = store.account(visit.digest, tenant);
  if (!account) throw PageRefusal{404, "Not found", "There is no such page."};
  return account;
}

Response PortalSite::Impl::tenantForm(const Visit& visit, const PortalRoute& route,
                                      const FormFields& form) {
  const std::optional<AccountView> account = accountOrNotFound(visit, route.tenant);
  if (!visit.user.isAdmin()) {
    throw PageRefusal{403, "Admins only",
                      "Only an admin can change an account. Nothing was changed."};
  }
  return route.page == PortalPage::top_up ? topUp(visit, *account, form)
                                          : setContacts(visit, *account, form);
}

Response PortalSite::Impl::tenantPage(const Visit& visit, const PortalRoute& route) {
  const std::optional<AccountView> account = accountOrNotFound(visit, route.tenant);
  switch (route.page) {
    case PortalPage::overview:
      return overview(visit, *account,
                      readFields(route.query, {"topped", "replayed", "contacts", "created"}), 200,
                      {}, {}, "");
    case PortalPage::ledger:
      return ledger(visit, *account, readFields(route.query, {"from", "to", "before"}));
    case PortalPage::ledger_csv:
      return ledgerCsv(visit, *account, readFields(route.query, {"from", "to"}));
    case PortalPage::batches:
      return batches(visit, *account,
                     readFields(route.query, {"from", "to", "before_at", "before_key"}));
    case PortalPage::spend: return spend(visit, *account, readFields(route.query, {"from", "to"}));
    case PortalPage::notifications:
      return notifications(visit, *account, readFields(route.query, {"before"}));
    default: throw PageRefusal{404, "Not found", "There is no such page."};
  }
}

Response PortalSite::Impl::overview(const Visit& visit, const AccountView& account,
                                    const FormFields& query, int status, FormState top_up,
                                    FormState contacts, std::string notice) {
  OverviewInput input;
  input.account = account;
  const api::TenantPolicy policy = gate.tenantPolicy(account.tenant_id);
  input.policy = policyView(policy);
  input.level = api::balanceLevelName(api::balanceLevelOf(account.balance_micros, policy));
  input.admin = visit.user.isAdmin();
  input.csrf = visit.csrf;
  if (top_up.values.empty()) top_up.values = {{"reference", freshReference()}};
  input.top_up = std::move(top_up);
  if (contacts.values.empty()) {
    std::string lines;
    for (const std::string& contact : account.contacts) lines += contact + "\n";
    contacts.values = {{"contacts", lines}};
  }
  input.contacts = std::move(contacts);
  if (const auto entry = positiveNumber(query, "topped")) {
    // A double click shows only the second answer: it must not read as if nothing was added.
    notice = fieldOr(query, "replayed") == "1"
                 ? "Ledger entry " + std::to_string(*entry) +
                       " already holds this reference, so this submission added nothing more: "
                       "the credit counts once, in the balance below."
                 : "Credit added: ledger entry " + std::to_string(*entry) + ".";
  }
  if (query.contains("contacts")) {
    notice = "Contacts saved.";
    input.new_webhook = fieldOr(query, "contacts") == "webhook";
  }
  if (query.contains("created")) notice = "Tenant created.";
  return page(status, visit, "Account " + account.tenant_id, account.tenant_id, "overview",
              overviewMain(input), notice);
}

Response PortalSite::Impl::ledger(const Visit& visit, const AccountView& account,
                                  const FormFields& query) {
  LedgerInput input;
  input.account = account;
  input.range = dayRange(query);
  const std::optional<std::int64_t> before = positiveNumber(query, "before");
  input.paged = before.has_value();
  input.rows = store.ledger(visit.digest, account.tenant_id, input.range.from, input.range.to,
                            before, kLedgerPage + 1);
  input.has_older = keepOnePage(input.rows, kLedgerPage);
  return page(200, visit, "Ledger of " + account.tenant_id, account.tenant_id, "ledger",
              ledgerMain(input));
}

Response PortalSite::Impl::ledgerCsv(const Visit& visit, const AccountView& account,
                                     const FormFields& query) {
  const DayRange range = dayRange(query);
  std::string csv = ledgerCsvHeader();
  std::optional<std::int64_t> before;
  for (;;) {
    const std::vector<LedgerRow> rows =
        store.ledger(visit.digest, account.tenant_id, range.from, range.to, before, kCsvChunk);
    appendLedgerCsv(csv, rows, account.currency);
    if (rows.size() < static_cast<std::size_t>(kCsvChunk)) break;
    before = rows.back().entry_id;
  }
  Response response{200, "text/csv; charset=utf-8", std::move(csv), {}};
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"" + csvFileName(account, range) + "\"");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

Response PortalSite::Impl::batches(const Visit& visit, const AccountView& account,
                                   const FormFields& query) {
  BatchesInput input;
  input.account = account;
  input.range = dayRange(query);
  const std::string before_at = fieldOr(query, "before_at");
  const std::string before_key = fieldOr(query, "before_key");
  if (before_at.empty() != before_key.empty() || before_at.size() > 40 || before_key.size() > 300) {
    throw PageRefusal{400, "Bad request",
                      "before_at and before_key go together (from the Older "
                      "batches link)"};
  }
  input.paged = !before_at.empty();
  try {
    input.rows = store.batches(visit.digest, account.tenant_id, input.range.from, input.range.to,
                               before_at, before_key, kBatchesPage + 1);
  } catch (const PortalRefused&) {
    throw PageRefusal{
        400, "Bad request",
        "before_at: '" + before_at.substr(0, 40) + "' is not a time from the Older batches link"};
  }
  input.has_older = keepOnePage(input.rows, kBatchesPage);
  return page(200, visit, "Batches of " + account.tenant_id, account.tenant_id, "batches",
              batchesMain(input));
}

Response PortalSite::Impl::spend(const Visit& visit, const AccountView& account,
                                 const FormFields& query) {
  SpendInput input;
  input.account = account;
  input.range = dayRange(query);
  // The last 30 days unless asked: the overview's "spent in the last 30 days" in detail.
  if (input.range.to.empty()) input.range.to = isoDay(today());
  if (input.range.from.empty())
    input.range.from = isoDay(*parseDay(input.range.to) - std::chrono::days(29));
  if (*parseDay(input.range.from) > *parseDay(input.range.to)) {
    throw PageRefusal{400, "Bad date range",
                      "from: " + input.range.from + " is after to: " + input.range.to};
  }
  if ((*parseDay(input.range.to) - *parseDay(input.range.from)).count() >= kMaxSpendDays) {
    throw PageRefusal{
        400, "Bad date range",
        "from " + input.range.from + " to " + input.range.to + " is longer than 366 days"};
  }
  input.rows = store.spend(visit.digest, account.tenant_id, input.range.from, input.range.to);
  return page(200, visit, "Spend of " + account.tenant_id, account.tenant_id, "spend",
              spendMain(input));
}

Response PortalSite::Impl::notifications(const Visit& visit, const AccountView& account,
                                         const FormFields& query) {
  NotificationsInput input;
  input.account = account;
  NotificationsPage read = store.notifications(
      visit.digest, account.tenant_id, positiveNumber(query, "before"), kNotificationsPage + 1);
  // The channels as of the events and endpoints read with them (the account was read before).
  input.account.contacts = std::move(read.contacts);
  input.rows = std::move(read.rows);
  input.webhooks = std::move(read.webhooks);
  input.has_older = keepOnePage(input.rows, kNotificationsPage);
  return page(200, visit, "Notifications of " + account.tenant_id, account.tenant_id,
              "notifications", notificationsMain(input));
}

Response PortalSite::Impl::topUp(const Visit& visit, const AccountView& account,
                                 const FormFields& form) {
  FormState state;
  for (const char* name : {"amount", "reference", "note"}) {
    state.values.emplace_back(name, fieldOr(form, name));
  }
  const auto refuse = [&](std::string field, std::string message) {
    state.error_field = std::move(field);
    state.error = std::move(message);
    return overview(visit, account, {}, 422, state, {}, "");
  };
  std::int64_t amount = 0;
  if (const auto problem = amountProblem(trimmedField(form, "amount"), amount)) {
    return refuse("amount", *problem);
  }
  // A reference of spaces would make every later blank one look like a resend of it.
  const std::string reference = trimmedField(form, "reference");
  if (reference.empty()) return refuse("reference", "enter a reference (an invoice or payment id)");
  if (reference.size() > 128) return refuse("reference", "is longer than 128 characters");
  const std::string note = trimmedField(form, "note");
  if (note.size() > 500) return refuse("note", "is longer than 500 characters");
  TopUpDone done;
  try {
    done = store.topUp(visit.digest, account.tenant_id, amount, reference, note);
  } catch (const PortalRefused& refused) {
    return refuse("", refused.what());
  } catch (const PortalForbidden&) {
    throw PageRefusal{403, "Admins only", "Only an admin can add credit. Nothing was changed."};
  }
  return redirectTo(tenantPath(account.tenant_id) + "?topped=" + std::to_string(done.entry_id) +
                    (done.replayed ? "&replayed=1" : ""));
}

Response PortalSite::Impl::setContacts(const Visit& visit, const AccountView& account,
                                       const FormFields& form) {
  const std::string text = fieldOr(form, "contacts");
  std::vector<std::string> contacts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    while (!line.empty() && line.front() == ' ') line.erase(0, 1);
    if (!line.empty()) contacts.push_back(line);
    start = end + 1;
  }
  std::vector<std::string> saved;
  try {
    saved = store.setContacts(visit.digest, account.tenant_id, contacts);
  } catch (const PortalRefused& refused) {
    FormState state;
    state.values = {{"contacts", text}};
    state.error_field = "contacts";
    state.error = refused.what();
    return overview(visit, account, {}, 422, {}, state, "");
  } catch (const PortalForbidden&) {
    throw PageRefusal{403, "Admins only", "Only an admin can set contacts. Nothing was changed."};
  }
  // A webhook contact new to the list has a new signing secret: the overview says where to read it.
  const bool new_webhook = std::any_of(saved.begin(), saved.end(), [&](const std::string& contact) {
    return contact.starts_with("webhook:") &&
           std::find(account.contacts.begin(), account.contacts.end(), contact) ==
               account.contacts.end();
  });
  return redirectTo(tenantPath(account.tenant_id) +
                    (new_webhook ? "?contacts=webhook" : "?contacts=saved"));
}

Response PortalSite::Impl::tenants(const Visit& visit, const FormFields& query, int status,
                                   FormState create) {
  if (!visit.user.isAdmin()) throw PageRefusal{404, "Not found", "There is no such page."};
  TenantsInput input;
  input.query = fieldOr(query, "q");
  input.sort = fieldOr(query, "sort");
  if (input.sort.empty()) input.sort = "tenant";
  if (!isTenantSort(input.sort)) {
    throw PageRefusal{400, "Bad request",
                      "sort: '" + input.sort.substr(0, 40) +
                          "' is not one of tenant, currency, balance, "
                          "spent_today, level"};
  }
  const std::string order = fieldOr(query, "order");
  if (!order.empty() && order != "asc" && order != "desc") {
    throw PageRefusal{400, "Bad request",
                      "order: '" + order.substr(0, 40) + "' is not asc or desc"};
  }
  input.descending = order == "desc";
  input.csrf = visit.csrf;
  input.create = std::move(create);
  std::vector<TenantRow> rows;
  try {
    rows = store.tenants(visit.digest);
  } catch (const PortalForbidden&) {
    throw PageRefusal{404, "Not found", "There is no such page."};
  }
  for (TenantRow& row : rows) {
    TenantListRow listed;
    listed.level = api::balanceLevelName(
        api::balanceLevelOf(row.balance_micros, gate.tenantPolicy(row.tenant_id)));
    listed.tenant = std::move(row);
    input.rows.push_back(std::move(listed));
  }
  return page(status, visit, "Tenants", "", "tenants", tenantsMain(input));
}

Response PortalSite::Impl::createTenant(const Visit& visit, const FormFields& form) {
  if (!visit.user.isAdmin()) throw PageRefusal{404, "Not found", "There is no such page."};
  FormState state;
  for (const char* name : {"tenant_id", "currency", "contact"}) {
    state.values.emplace_back(name, fieldOr(form, name));
  }
  const std::string tenant = trimmedField(form, "tenant_id");
  const std::string currency = trimmedField(form, "currency");
  const auto refuse = [&](std::string field, std::string message) {
    state.error_field = std::move(field);
    state.error = std::move(message);
    return tenants(visit, {}, 422, state);
  };
  if (tenant.empty()) return refuse("tenant_id", "tenant_id: enter a tenant id");
  if (tenant == "." || tenant == "..") {
    // Valid in the database, but no URL can name it (browsers resolve it away).
    return refuse("tenant_id", "tenant_id: '" + tenant + "' cannot be a tenant id in a URL");
  }
  if (currency.empty()) {
    return refuse("currency", "currency: enter a currency code such as USD");
  }
  try {
    if (!store.addTenant(visit.digest, tenant, currency, trimmedField(form, "contact"))) {
      return refuse("tenant_id",
                    "tenant " + tenant + " already exists (" + currency + "): nothing was changed");
    }
  } catch (const PortalRefused& refused) {
    return refuse("", refused.what());
  } catch (const PortalForbidden&) {
    throw PageRefusal{404, "Not found", "There is no such page."};
  }
  return redirectTo(tenantPath(tenant) + "?created=1");
}

}  // namespace creditgate::server
