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
};

std::string overviewMain(const OverviewInput& input);

struct NotificationsInput {
  AccountView account;
  std::vector<NotificationRow> rows;  // one page, newest first
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

}  // namespace creditgate::server
