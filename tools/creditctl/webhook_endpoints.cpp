#include "webhook_endpoints.hpp"

#include <boost/json/parse.hpp>
#include <pqxx/pqxx>

#include "report_fields.hpp"

namespace creditgate::ctl {

// A timestamptz as "2026-07-01T12:34:56.123456Z" (UTC), as every report writes times.
#define UTC_TIME(expression) \
  "to_char(" expression " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

extern const char* const kEndpoints =
    "SELECT e.tenant_id, e.url, " UTC_TIME("e.created_at") " AS created,"
    "       " UTC_TIME("e.disabled_at") " AS disabled_since, e.disabled_reason,"
    "       coalesce((SELECT json_agg(json_build_object("
    "                   'secret', s.secret, 'created', " UTC_TIME("s.created_at") ","
    "                   'expires', " UTC_TIME("s.expires_at") ") ORDER BY s.created_at DESC)"
    "                   FROM creditgate.webhook_secret s"
    "                  WHERE s.tenant_id = e.tenant_id AND s.url = e.url"
    "                    AND (s.expires_at IS NULL OR s.expires_at > now())), '[]')::text"
    "         AS secrets"
    "  FROM creditgate.webhook_endpoint e"
    "  JOIN creditgate.tenant t ON t.tenant_id = e.tenant_id"
    " WHERE ($1::text IS NULL OR e.tenant_id = $1)"
    "   AND 'webhook:' || e.url = ANY (t.contacts)"
    " ORDER BY e.tenant_id, e.url";

#undef UTC_TIME

std::string secretValidity(const boost::json::value& expires) {
  if (expires.is_null()) return "current";
  return "until " + shortTime(expires.as_string()) + " UTC";
}

std::map<std::string, boost::json::array> secretsByUrl(pqxx::transaction_base& txn,
                                                       const std::string& tenant) {
  std::map<std::string, boost::json::array> secrets;
  for (const auto& row : txn.exec_params(kEndpoints, tenant)) {
    secrets[row["url"].as<std::string>()] = boost::json::parse(row["secrets"].c_str()).as_array();
  }
  return secrets;
}

}  // namespace creditgate::ctl
