#include "form.hpp"

#include <algorithm>
#include <optional>

#include "text_codec.hpp"

namespace creditgate::server {
namespace {

// A name or value as the browser encoded it ('+' is a space); nullopt for a broken escape.
std::optional<std::string> decode(std::string_view text) {
  return percentDecode(text, true);
}

// A field name as it can appear in a message: printable ASCII only, cut short.
std::string shown(std::string_view name) {
  std::string out;
  for (const char c : name.substr(0, 40)) out += c >= 0x20 && c < 0x7f ? c : '?';
  return out;
}

}  // namespace

std::variant<FormFields, FormRefusal> parseForm(std::string_view body,
                                                std::span<const std::string_view> fields) {
  FormFields values;
  while (!body.empty()) {
    const std::size_t end = body.find('&');
    const std::string_view pair = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    if (pair.empty()) continue;  // "a=1&&b=2": browsers do not send it, but it harms nothing
    const std::size_t equals = pair.find('=');
    const std::optional<std::string> name = decode(pair.substr(0, equals));
    if (!name) return FormRefusal{"", "the form has a broken percent escape in a field name"};
    if (std::find(fields.begin(), fields.end(), *name) == fields.end()) {
      return FormRefusal{shown(*name), "this form has no field '" + shown(*name) + "'"};
    }
    const std::optional<std::string> value =
        decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
    if (!value) return FormRefusal{*name, "has a broken percent escape"};
    if (firstInvalidUtf8(*value)) return FormRefusal{*name, "is not UTF-8 text"};
    if (!values.emplace(*name, *value).second) return FormRefusal{*name, "was sent twice"};
  }
  return values;
}

}  // namespace creditgate::server
