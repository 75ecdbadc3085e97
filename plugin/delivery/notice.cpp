#include "notice.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <system_error>

namespace creditgate {

namespace {

namespace json = boost::json;

std::optional<std::string> textAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

// Boost.JSON keeps an integer that fits int64 as int64, a larger one as uint64, and anything with
// a fraction or exponent as double: only the first is an amount.
std::optional<std::int64_t> microsAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_int64()) return std::nullopt;
  return value->get_int64();
}

}  // namespace

NoticeFacts readNoticeFacts(std::string_view payload_json) {
  NoticeFacts facts;
  std::error_code error;
  const json::value document = json::parse(payload_json, error);
  if (error || !document.is_object()) return facts;
  const json::object& object = document.get_object();
  facts.batch_id = textAt(object, "batch_id");
  facts.decision = textAt(object, "decision");
  facts.reason = textAt(object, "reason");
  facts.level = textAt(object, "level");
  facts.currency = textAt(object, "currency");
  facts.price_micros = microsAt(object, "price_micros");
  facts.balance_micros = microsAt(object, "balance_micros");
  facts.shortfall_micros = microsAt(object, "shortfall_micros");
  facts.threshold_micros = microsAt(object, "threshold_micros");
  if (const json::value* levels = object.if_contains("levels"); levels && levels->is_array()) {
    for (const json::value& level : levels->get_array()) {
      if (level.is_string()) facts.levels.emplace_back(level.get_string());
    }
  }
  return facts;
}

}  // namespace creditgate
