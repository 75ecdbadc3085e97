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

// The level's banner text; "" for ok.
std::string levelMessage(const std::string& level);

}  // namespace creditgate::server
