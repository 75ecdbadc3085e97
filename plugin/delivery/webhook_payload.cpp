#include "webhook_payload.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <ctime>
#include <system_error>

#include "decimal_micros.hpp"
#include "plain_text.hpp"

namespace creditgate {

namespace {

namespace json = boost::json;

constexpr std::string_view kOurKeys[] = {"event_id", "tenant_id", "campaign_id",
                                         "balance",  "threshold", "shortfall"};

bool isOurKey(std::string_view key) {
  for (const std::string_view ours : kOurKeys) {
    if (key == ours) return true;
  }
  return false;
}

}  // namespace

std::string isoTimestamp(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto micros = floor<microseconds>(when);
  const auto seconds = floor<std::chrono::seconds>(micros);
  const std::time_t t = system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>((micros - seconds).count()));
  return text;
}

std::string webhookBody(const Notice& notice) {
  json::object data;
  data["event_id"] = notice.event_id;
  // Ids come from gateways: made valid UTF-8 so the body is valid JSON whatever they hold.
  data["tenant_id"] = singleLine(notice.tenant_id, 1000);

  std::error_code error;
  const json::value payload = json::parse(notice.payload_json, error);
  if (!error && payload.is_object()) {
    for (const auto& member : payload.get_object()) {
      if (!isOurKey(member.key())) data[member.key()] = member.value();
    }
  }
  if (!notice.campaign_id.empty()) data["campaign_id"] = singleLine(notice.campaign_id, 1000);

  const NoticeFacts facts = readNoticeFacts(notice.payload_json);
  const auto text = [&](const char* key, const std::optional<std::int64_t>& micros) {
    if (micros) data[key] = formatMicrosIn(*micros, notice.minor_units);
  };
  text("balance", facts.balance_micros);
  text("threshold", facts.threshold_micros);
  text("shortfall", facts.shortfall_micros);

  json::object body;
  body["type"] = "creditgate." + singleLine(notice.type, 100);
  body["timestamp"] = isoTimestamp(notice.created_at);
  body["data"] = std::move(data);
  return json::serialize(body);
}

}  // namespace creditgate
