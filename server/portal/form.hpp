// The portal's HTML forms as the browser posts them (application/x-www-form-urlencoded), read
// strictly like the API's JSON bodies: each field named by the page at most once, no field the
// page does not have, values percent-decoded ('+' is a space) and well-formed UTF-8. A refusal
// names the field and says what is wrong, for the page to show beside it.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace creditgate::server {

struct FormRefusal {
  std::string field;    // "" when no one field is concerned (a broken pair)
  std::string message;  // what a person can act on
};

using FormFields = std::map<std::string, std::string, std::less<>>;

// The fields of `body`, or why it is refused. `fields`: the names the form has; a missing one is
// the page's to report (it knows which are required).
std::variant<FormFields, FormRefusal> parseForm(std::string_view body,
                                                std::span<const std::string_view> fields);

}  // namespace creditgate::server
