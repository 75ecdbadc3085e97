// Strict reading of the gateway's own JSON files (gateway.json, campaign files). Boost.JSON accepts
// duplicate keys silently (last wins) and reports no line or column; an operator editing these files
// by hand needs both, so this adds them. Field access names the field on every error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace sample_gateway {

// A problem in one of the gateway's input files; what() names the file and the field or position.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and parses `path`. Throws InputError "path: line L, column C: ..." on I/O errors, syntax
// errors and duplicate keys.
boost::json::value readJsonFile(const std::filesystem::path& path);

// The helpers below take `field`, the JSON path of the value (e.g. "campaigns[2].tenant"), and throw
// InputError("<field>: ...") without the file name; the caller adds it.
const boost::json::object& requireObject(const boost::json::value& value, const std::string& field);
const boost::json::array& requireArray(const boost::json::value& value, const std::string& field);
std::string requireString(const boost::json::value& value, const std::string& field);
std::int64_t requireInteger(const boost::json::value& value, const std::string& field,
                            std::int64_t min, std::int64_t max);

// Throws for the first key of `object` that is not in `known`.
void refuseUnknownKeys(const boost::json::object& object,
                       std::initializer_list<std::string_view> known, const std::string& field);

// The member `key` of `object`, or throws "<field>.<key>: missing".
const boost::json::value& requireMember(const boost::json::object& object, std::string_view key,
                                        const std::string& field);

// "a.b" or just "b" when `parent` is the document root.
std::string memberPath(const std::string& parent, std::string_view key);

}  // namespace sample_gateway
