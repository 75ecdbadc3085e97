// What the portal's pages show, as plain values: filled by PortalStore from the portal's database
// functions (sql/020, sql/021), rendered by the page functions. Money stays int64 micro-units (or
// the database's exact numeric text for a refused price that may not fit) until a page formats it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace creditgate::server {

// The session's user: email and role ("admin" or "tenant:<id>").
struct PortalUser {
  std::string email;
  std::string role;

  bool isAdmin() const { return role == "admin"; }
  // The tenant a tenant user belongs to ("" for an admin).
  std::string tenant() const { return role.rfind("tenant:", 0) == 0 ? role.substr(7) : ""; }
};

struct AccountView {
  std::string tenant_id;
  std::string currency;
  int minor_units = 2;  // ISO 4217: how the currency is written (JPY 0, USD 2, ...)
  std::int64_t balance_micros = 0;
  std::int64_t spent_today_micros = 0;
  std::int64_t spent_30_days_micros = 0;
  std::vector<std::string> contacts;
  std::string created_at;  // ISO 8601 UTC
};

struct LedgerRow {
  std::int64_t entry_id = 0;
  std::string kind;  // topup | debit | refund | adjustment | void
  std::int64_t amount_micros = 0;
  std::int64_t balance_after_micros = 0;
  std::string batch_id, recipient, reference, note;  // "" when the entry has none
  std::string created_at;                            // ISO 8601 UTC
};

struct BatchRow {
  std::string at;         // decided or refused, ISO 8601 UTC, to the second
  std::string cursor_at;  // the same to the microsecond: the paging cursor, with `key`
  std::string key;
  std::string batch_id, campaign_id, template_name, category;
  std::string decision;  // allow | allow_flagged | allow_partial | block | void
  std::string reason;
  int recipients = 0;
  int recipients_allowed = 0;
  std::int64_t charged_micros = 0;
  std::string price_micros;                     // exact numeric text (a refused price may not fit)
  std::optional<std::string> shortfall_micros;  // blocked: the credit it lacked
  std::int64_t balance_after_micros = 0;
};

struct SpendRow {
  std::string market, category;
  std::int64_t recipients = 0;
  std::int64_t spent_micros = 0;
};

// An event's delivery to one channel (sql/023 notification_delivery, through portal_deliveries).
struct DeliveryRow {
  std::int64_t event_id = 0;
  std::string channel;  // the contact as listed when the event was fanned out; "" : the host's
                        // notify() of a tenant without contacts
  std::string kind;     // email | webhook | host
  std::string state;    // pending | delivered | failed | disabled
  int attempts = 0;     // claims so far
  std::optional<std::string> last_attempt_at;  // ISO 8601 UTC, as the others
  std::optional<int> last_status;              // SMTP reply or HTTP status; nullopt: no answer
  std::string last_error;                      // "" when none; untrusted text (a server's reply)
  std::optional<std::string> delivered_at;
  std::optional<std::string> next_attempt_at;  // pending only
};

struct NotificationRow {
  std::int64_t event_id = 0;
  std::string type;  // insufficient_credit | low_balance | depleted | recovered
  std::string created_at;
  std::optional<std::string> sent_at;
  int attempts = 0;
  std::string payload;                  // JSON object text
  std::vector<DeliveryRow> deliveries;  // by channel; none before the relay fanned the event out
};

struct WebhookSecretView {
  std::string secret;                     // whsec_...
  std::optional<std::string> expires_at;  // nullopt: current; else valid until (a rotation)
};

// A tenant's webhook endpoint (portal_webhooks): disabled after a 410 until an admin enables it.
struct WebhookView {
  std::string url;
  std::optional<std::string> disabled_at;
  std::string disabled_reason;             // "answered 410 to event 12"
  std::vector<WebhookSecretView> secrets;  // valid now, newest first
};

// The notifications page's reads, from one snapshot: the contacts, a page of events with their
// deliveries, and the webhook endpoints.
struct NotificationsPage {
  std::vector<std::string> contacts;
  std::vector<NotificationRow> rows;  // newest first
  std::vector<WebhookView> webhooks;
};

struct TenantRow {
  std::string tenant_id;
  std::string currency;
  int minor_units = 2;
  std::int64_t balance_micros = 0;
  std::int64_t spent_today_micros = 0;
  std::vector<std::string> contacts;
  std::string created_at;
};

struct TopUpDone {
  std::int64_t entry_id = 0;
  std::int64_t balance_after_micros = 0;
  bool replayed = false;  // the same reference was submitted before: nothing new was written
};

}  // namespace creditgate::server

namespace creditgate::server {

// The policy the plugin's config gives a tenant (host API tenantPolicy), as the pages show it.
struct CategoryPolicyView {
  std::string category;
  std::string on_insufficient_credit;  // block | flag | partial
  std::int64_t overdraft_limit_micros = 0;
};

struct PolicyView {
  std::vector<CategoryPolicyView> categories;
  std::string on_ledger_unavailable;  // block | allow_flagged
  std::optional<std::int64_t> warning_micros, critical_micros;
};

}  // namespace creditgate::server
