// A tenant's account pages: the overview (balance, debt, spending, level, policy, contacts, and for
// admins the top-up and contacts forms) and the notifications sent to its contacts. Each returns
// the content of <main> for renderPage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "portal_rows.hpp"

namespace creditgate::server {

// A form as the admin last sent it, with the field the server refused and why (shown beside it).
struct FormState {
  std::vector<std::pair<std::string, std::string>> values;  // field -> value as sent
  std::string error_field;
  std::string error;

  std::string value(std::string_view field) const;
};

struct OverviewInput {
  AccountView account;
  std::optional<PolicyView> policy;  // nullopt: the plugin could not say (shown as unknown)
  std::string level;                 // ok | warning | critical | depleted
  bool admin = false;                // admins get the forms
  std::string csrf;
  FormState top_up;    // amount, reference, note; reference pre-filled with a fresh one
  FormState contacts;  // contacts: one per line
  bool new_webhook = false;  // a webhook contact was just added: say where its secret is
};

std::string overviewMain(const OverviewInput& input);

struct NotificationsInput {
  AccountView account;                // its contacts are the page's channels
  std::vector<NotificationRow> rows;  // one page, newest first, with their deliveries
  std::vector<WebhookView> webhooks;  // the tenant's endpoints and their secrets valid now
  bool has_older = false;
};

std::string notificationsMain(const NotificationsInput& input);

// The level's banner text ("" for ok); an admin is told to add credit, a tenant to ask for it.
std::string levelMessage(const std::string& level, bool admin);

// A notification's type and payload (the outbox's JSON) in words: "Credit did not cover a batch";
// "price 1.174 EUR; balance 0.5304 EUR; shortfall 0.6436 EUR". Amounts (*_micros) are written as
// money; a payload that is not a JSON object is shown as it is.
std::string notificationTitle(const std::string& type);
std::string notificationSummary(const std::string& payload_json, const AccountView& account);

// A contact as the pages show it, as plain text: "Email to ops@acme.example", "Webhook
// https://hooks.acme.example/credit", "Gateway notifier" (the host's notify(), for "host", "" and
// "host:<text>" or free text, the text in brackets).
std::string channelLabel(const std::string& contact);

// The part of a webhook URL a page shows: scheme://host[:port]/path, never the query or fragment
// (either may carry a token) nor a user name, at most 200 characters.
std::string webhookUrlShown(std::string_view url);

// A delivery in words, as HTML: "Email to ops@acme.example: delivered 2026-11-30 12:03 UTC",
// "Webhook https://…/credit: retrying — 3 attempts, last answer HTTP 500, next try 12:10 UTC",
// "…: failed after 24 h (31 attempts), last answer HTTP 500 — <error>", "…: endpoint disabled (it
// answered 410)". The answer and a short error (120 characters) are shown for email and webhooks
// only: the host's error text may hold the gateway's internals. `event_created_at` (ISO 8601 UTC)
// says how long a failed delivery was tried; `webhooks` why an endpoint is disabled.
std::string deliveryHtml(const DeliveryRow& delivery, const std::string& event_created_at,
                         const std::vector<WebhookView>& webhooks);

// Untrusted text (a server's reply) made short for a page: control characters and runs of spaces
// as one space, at most `max_chars` characters (UTF-8), "…" where cut. Not escaped.
std::string shortText(std::string_view text, std::size_t max_chars);

}  // namespace creditgate::server
