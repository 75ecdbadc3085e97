// The portal's forms and HTML text: what a browser posts is read strictly, and what a page shows
// can never become markup.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <variant>

#include "form.hpp"
#include "html.hpp"

namespace creditgate::server {
namespace {

constexpr std::array<std::string_view, 4> kTopUpForm = {"amount", "reference", "note", "csrf"};

FormFields fieldsOf(std::string_view body) {
  auto parsed = parseForm(body, kTopUpForm);
  if (const auto* refusal = std::get_if<FormRefusal>(&parsed)) {
    ADD_FAILURE() << refusal->field << ": " << refusal->message;
    return {};
  }
  return std::get<FormFields>(parsed);
}

FormRefusal refusalOf(std::string_view body) {
  auto parsed = parseForm(body, kTopUpForm);
  if (const auto* refusal = std::get_if<FormRefusal>(&parsed)) return *refusal;
  ADD_FAILURE() << "accepted: " << body;
  return {};
}

TEST(PortalForm, ReadsWhatABrowserPosts) {
  const FormFields fields =
      fieldsOf("amount=12.50&reference=INV-2026%2F11&note=first+credit%20%E2%82%AC&csrf=abc");
  EXPECT_EQ(fields.at("amount"), "12.50");
  EXPECT_EQ(fields.at("reference"), "INV-2026/11");
  EXPECT_EQ(fields.at("note"), "first credit \xE2\x82\xAC");  // a euro sign
  EXPECT_EQ(fields.at("csrf"), "abc");
  EXPECT_EQ(fieldsOf("amount=&note").at("note"), "");  // empty values stay, for the page to judge
  EXPECT_TRUE(fieldsOf("").empty());
}

TEST(PortalForm, RefusesNamingTheField) {
  FormRefusal r = refusalOf("amount=1&admin=yes");
  EXPECT_EQ(r.field, "admin");
  EXPECT_EQ(r.message, "this form has no field 'admin'");
  r = refusalOf("amount=1&amount=1000000");
  EXPECT_EQ(r.field, "amount");
  EXPECT_EQ(r.message, "was sent twice");
  r = refusalOf("note=%E2%82");
  EXPECT_EQ(r.field, "note");
  EXPECT_EQ(r.message, "is not UTF-8 text");
  r = refusalOf("reference=INV%2");
  EXPECT_EQ(r.field, "reference");
  EXPECT_EQ(r.message, "has a broken percent escape");
  r = refusalOf("am%zzount=1");
  EXPECT_EQ(r.field, "");
  r = refusalOf("%0Aevil=1");
  EXPECT_EQ(r.field, "?evil");  // a name is shown as printable ASCII only
}

TEST(PortalHtml, EscapesEveryCharacterThatCouldBecomeMarkup) {
  EXPECT_EQ(escapeHtml(R"(<script>alert("x") & 'y'</script>)"),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
  EXPECT_EQ(escapeHtml("acme 12.50 \xE2\x82\xAC"), "acme 12.50 \xE2\x82\xAC");
  EXPECT_EQ(escapeHtml(""), "");
}

}  // namespace
}  // namespace creditgate::server
