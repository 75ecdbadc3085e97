#include "notice_text.hpp"

#include <optional>
#include <utility>
#include <vector>

#include "decimal_micros.hpp"
#include "html_text.hpp"
#include "plain_text.hpp"

namespace creditgate {

namespace {

// A message before it is written out: the same content for the text and the HTML part.
struct Draft {
  std::string subject;
  std::string lead;                                        // what happened, one sentence
  std::vector<std::pair<std::string, std::string>> facts;  // label, value (untrusted, one line)
  std::string action;                                      // what to do
};

// Payload names (currency, level) are short; an id may be up to 64 bytes, more from a gateway that
// does not keep to the rule. Enough to recognise, not enough to flood a subject.
constexpr std::size_t kMaxValueBytes = 120;

class Money {
 public:
  Money(const NoticeFacts& facts, int minor_units)
      : currency_(facts.currency ? singleLine(*facts.currency, 16) : ""),
        minor_units_(minor_units) {}

  // "4.10 EUR"; nullopt for an unknown amount.
  std::optional<std::string> operator()(const std::optional<std::int64_t>& micros) const {
    if (!micros) return std::nullopt;
    std::string text = formatMicrosIn(*micros, minor_units_);
    if (!currency_.empty()) text += " " + currency_;
    return text;
  }

 private:
  std::string currency_;
  int minor_units_;
};

void addFact(Draft& draft, std::string label, const std::optional<std::string>& value) {
  if (value) draft.facts.emplace_back(std::move(label), singleLine(*value, kMaxValueBytes));
}

void describeShortage(const NoticeFacts& facts, const Notice& notice, const Money& money,
                      Draft& draft) {
  const bool blocked = facts.decision == "block";
  const bool on_credit = facts.decision == "allow_flagged";
  if (blocked) {
    const auto shortfall = money(facts.shortfall_micros);
    draft.subject = "WhatsApp campaign blocked" +
                    (shortfall ? ": " + *shortfall + " more credit needed" : std::string());
    draft.lead =
        facts.reason == "overdraft_limit_exceeded"
            ? "A WhatsApp campaign was not sent: it would have taken the balance past "
              "the overdraft limit."
            : "A WhatsApp campaign was not sent: the credit left does not cover its price.";
    draft.action =
        "Nothing was charged for this batch. Add credit so that it can be sent again (by "
        "whoever sends your campaigns); contact your provider if you cannot add credit yourself.";
  } else if (on_credit) {
    const auto balance = money(facts.balance_micros);
    draft.subject =
        "WhatsApp campaign sent on credit" + (balance ? ": balance " + *balance : std::string());
    draft.lead = "A WhatsApp campaign was sent on overdraft: the balance is now below zero.";
    draft.action =
        "Add credit to settle the overdraft; contact your provider if you cannot add "
        "credit yourself.";
  } else {
    draft.subject = "WhatsApp campaign short of credit";
    draft.lead = "A WhatsApp campaign was short of credit.";
    draft.action = "Add credit to resume; contact your provider if you cannot add credit yourself.";
  }
  addFact(draft, "Tenant", notice.tenant_id);
  if (!notice.campaign_id.empty()) addFact(draft, "Campaign", notice.campaign_id);
  addFact(draft, "Batch", facts.batch_id);
  addFact(draft, "Price", money(facts.price_micros));
  addFact(draft, "Balance", money(facts.balance_micros));
  if (!on_credit) addFact(draft, "More credit needed", money(facts.shortfall_micros));
}

void describeLowBalance(const NoticeFacts& facts, const Notice& notice, const Money& money,
                        Draft& draft) {
  const auto balance = money(facts.balance_micros);
  const auto level = facts.level ? std::optional(singleLine(*facts.level, 16)) : std::nullopt;
  draft.subject = "WhatsApp credit low" + (balance ? ": " + *balance + " left" : std::string()) +
                  (level ? " (" + *level + ")" : std::string());
  draft.lead = "The WhatsApp credit is running low" +
               (level ? ": the balance fell below the " + *level + " level." : std::string("."));
  draft.action =
      "Add credit before it runs out, so that campaigns keep going out; contact your "
      "provider if you cannot add credit yourself.";
  addFact(draft, "Tenant", notice.tenant_id);
  addFact(draft, "Balance", balance);
  addFact(draft, level ? "Alert level (" + *level + ")" : "Alert level",
          money(facts.threshold_micros));
}

void describeDepleted(const NoticeFacts& facts, const Notice& notice, const Money& money,
                      Draft& draft) {
  const auto balance = money(facts.balance_micros);
  draft.subject = "WhatsApp credit used up" + (balance ? ": balance " + *balance : std::string());
  draft.lead =
      "The WhatsApp credit is used up: campaigns that need credit are blocked, or sent on "
      "overdraft where the account allows it, until credit is added.";
  draft.action = "Add credit to resume; contact your provider if you cannot add credit yourself.";
  addFact(draft, "Tenant", notice.tenant_id);
  addFact(draft, "Balance", balance);
  // The depleted level's threshold is the smallest amount (one micro-unit): "below zero or at it"
  // says it better than the number would.
}

void describeRecovered(const NoticeFacts& facts, const Notice& notice, const Money& money,
                       Draft& draft) {
  const auto balance = money(facts.balance_micros);
  draft.subject = "WhatsApp credit restored" + (balance ? ": " + *balance : std::string());
  draft.lead =
      "The balance is back above the levels that were alerted (credit was added, or messages "
      "that were not delivered were refunded).";
  draft.action = "Nothing to do.";
  addFact(draft, "Tenant", notice.tenant_id);
  addFact(draft, "Balance", balance);
  if (!facts.levels.empty()) {
    std::string levels;
    for (const std::string& level : facts.levels) {
      levels += (levels.empty() ? "" : ", ") + singleLine(level, 16);
    }
    addFact(draft, "Back above the levels", levels);
  }
}

void describeOther(const Notice& notice, const Money& money, const NoticeFacts& facts,
                   Draft& draft) {
  const std::string type = singleLine(notice.type, 40);
  draft.subject = "WhatsApp credit notice" + (type.empty() ? std::string() : " (" + type + ")");
  draft.lead = "The credit gate has a notice for this account.";
  draft.action = "Contact your provider if it is not clear what to do.";
  addFact(draft, "Tenant", notice.tenant_id);
  addFact(draft, "Balance", money(facts.balance_micros));
}

std::string textOf(const Draft& draft, const std::string& link, std::int64_t event_id) {
  std::string text = draft.lead + "\n\n";
  for (const auto& [label, value] : draft.facts) text += label + ": " + value + "\n";
  text += "\n" + draft.action + "\n";
  if (!link.empty()) text += "\nPortal: " + link + "\n";
  text += "\nReference: creditgate event " + std::to_string(event_id) + "\n";
  return text;
}

std::string htmlOf(const Draft& draft, const std::string& link, std::int64_t event_id) {
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
                     escapeHtml(draft.subject) +
                     "</title></head>\n<body style=\"font-family: sans-serif\">\n<p>" +
                     escapeHtml(draft.lead) + "</p>\n<table>\n";
  for (const auto& [label, value] : draft.facts) {
    html += "<tr><th style=\"text-align: left; padding-right: 1em\">" + escapeHtml(label) +
            "</th><td>" + escapeHtml(value) + "</td></tr>\n";
  }
  html += "</table>\n<p>" + escapeHtml(draft.action) + "</p>\n";
  if (!link.empty()) {
    html += "<p><a href=\"" + escapeHtml(link) + "\">" + escapeHtml(link) + "</a></p>\n";
  }
  html += "<p style=\"color: #666\">Reference: creditgate event " + std::to_string(event_id) +
          "</p>\n</body></html>\n";
  return html;
}

}  // namespace

NoticeText describeNotice(const Notice& notice, std::string_view portal_url) {
  const NoticeFacts facts = readNoticeFacts(notice.payload_json);
  const Money money(facts, notice.minor_units);
  Draft draft;
  if (notice.type == "insufficient_credit") {
    describeShortage(facts, notice, money, draft);
  } else if (notice.type == "low_balance") {
    describeLowBalance(facts, notice, money, draft);
  } else if (notice.type == "depleted") {
    describeDepleted(facts, notice, money, draft);
  } else if (notice.type == "recovered") {
    describeRecovered(facts, notice, money, draft);
  } else {
    describeOther(notice, money, facts, draft);
  }

  std::string link;
  if (!portal_url.empty()) {
    link = singleLine(portal_url, 1000);
    if (!link.empty()) {
      if (link.back() != '/') link += '/';
      link += "t/" + urlEncode(notice.tenant_id) + "/";
    }
  }
  return NoticeText{singleLine(draft.subject, 300), textOf(draft, link, notice.event_id),
                    htmlOf(draft, link, notice.event_id)};
}

}  // namespace creditgate
