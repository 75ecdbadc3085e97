#include "channel.hpp"

#include <gtest/gtest.h>

#include <string>

namespace creditgate {
namespace {

using Kind = Channel::Kind;

void expectChannel(std::string_view contact, Kind kind, std::string_view address) {
  const auto channel = parseChannel(contact);
  ASSERT_TRUE(channel) << contact;
  EXPECT_EQ(channel->kind, kind) << contact;
  EXPECT_EQ(channel->address, address) << contact;
}

TEST(Channel, AcceptsEmailAddresses) {
  expectChannel("email:ops@acme.example", Kind::email, "ops@acme.example");
  expectChannel("email:a@b", Kind::email, "a@b");
  expectChannel("email:first.last+credit@mail-1.acme.example", Kind::email,
                "first.last+credit@mail-1.acme.example");
  expectChannel("email:o'neil!#$%&*/=?^_`{|}~-@x.example", Kind::email,
                "o'neil!#$%&*/=?^_`{|}~-@x.example");
  expectChannel("email:" + std::string(64, 'a') + "@" + std::string(63, 'b') + ".c", Kind::email,
                std::string(64, 'a') + "@" + std::string(63, 'b') + ".c");
}

TEST(Channel, RefusesWhatIsNotOnePlainEmailAddress) {
  for (const std::string& bad : {std::string("email:"),
                                 std::string("email:a b@c"),
                                 std::string("email:ops"),
                                 std::string("email:@acme.example"),
                                 std::string("email:ops@"),
                                 std::string("email:ops@acme.example\r\nBcc: x@y"),
                                 std::string("email:Ops <ops@acme.example>"),
                                 std::string("email:a@b,c@d"),
                                 std::string("email:a@b@c"),
                                 std::string("email:a@-b.example"),
                                 std::string("email:a@b-.example"),
                                 std::string("email:a@b..example"),
                                 std::string("email:a@b.example."),
                                 std::string("email:a@[127.0.0.1]"),
                                 std::string("email:\"a\"@b.example"),
                                 std::string("email:grüße@b.example"),
                                 std::string("email:a@bü.example"),
                                 "email:" + std::string(65, 'a') + "@b.example",
                                 "email:a@" + std::string(64, 'b') + ".example",
                                 "email:a@" + std::string(63, 'b') + "." + std::string(63, 'c') +
                                     "." + std::string(63, 'd') + "." + std::string(61, 'e')}) {
    EXPECT_FALSE(parseChannel(bad)) << bad;
  }
}

TEST(Channel, AcceptsHttpsWebhooks) {
  expectChannel("webhook:https://hooks.acme.example/credit", Kind::webhook,
                "https://hooks.acme.example/credit");
  expectChannel("webhook:https://hooks.acme.example", Kind::webhook, "https://hooks.acme.example");
  expectChannel("webhook:https://hooks.acme.example:8443/a/b?token=s3cr3t&x=1", Kind::webhook,
                "https://hooks.acme.example:8443/a/b?token=s3cr3t&x=1");
  expectChannel("webhook:https://[2001:db8::1]:8443/x", Kind::webhook,
                "https://[2001:db8::1]:8443/x");
  expectChannel("webhook:https://hooks.acme.example?x=a@b", Kind::webhook,
                "https://hooks.acme.example?x=a@b");  // '@' only refused in the authority
}

TEST(Channel, AllowsHttpOnlyToThisMachine) {
  expectChannel("webhook:http://127.0.0.1:8080/hook", Kind::webhook, "http://127.0.0.1:8080/hook");
  expectChannel("webhook:http://localhost/hook", Kind::webhook, "http://localhost/hook");
  expectChannel("webhook:http://[::1]:9/hook", Kind::webhook, "http://[::1]:9/hook");
  for (const char* bad : {"webhook:http://example.com/x", "webhook:http://127.0.0.2/x",
                          "webhook:http://localhost.example/x", "webhook:http://LOCALHOST/x",
                          "webhook:http://localhost:/x", "webhook:http://127.0.0.1@evil.example/x",
                          "webhook:http://[::2]/x"}) {
    EXPECT_FALSE(parseChannel(bad)) << bad;
  }
}

TEST(Channel, RefusesWebhookUrlsOutsideTheRule) {
  for (const std::string& bad : {std::string("webhook:"),
                                 std::string("webhook:https://user@host/x"),
                                 std::string("webhook:https://user:pw@host/x"),
                                 std::string("webhook:https:///x"),
                                 std::string("webhook:https://"),
                                 std::string("webhook:ftp://host/x"),
                                 std::string("webhook:HTTPS://host/x"),
                                 std::string("webhook://host/x"),
                                 std::string("webhook:host/x"),
                                 std::string("webhook:https://host/a b"),
                                 std::string("webhook:https://host/a\tb"),
                                 std::string("webhook:https://host/\r\nX: y"),
                                 std::string("webhook:https://host/\"x\""),
                                 std::string("webhook:https://host/<x>"),
                                 std::string("webhook:https://host/a\\b"),
                                 std::string("webhook:https://host/a^b"),
                                 std::string("webhook:https://host/a`b"),
                                 std::string("webhook:https://host/{x}"),
                                 std::string("webhook:https://host/a|b"),
                                 std::string("webhook:https://host/\xC2\x85")}) {
    EXPECT_FALSE(parseChannel(bad)) << bad;
  }
  // At the limit: 2000 characters in the whole contact.
  const std::string longest = "webhook:https://host/" + std::string(2000 - 21, 'x');
  ASSERT_EQ(longest.size(), 2000u);
  EXPECT_TRUE(parseChannel(longest));
  EXPECT_FALSE(parseChannel(longest + "x"));
}

TEST(Channel, EverythingElseGoesToTheHost) {
  expectChannel("host", Kind::host, "");
  expectChannel("host:", Kind::host, "");
  expectChannel("host:ops-desk", Kind::host, "ops-desk");
  expectChannel("ops@acme.example", Kind::host, "ops@acme.example");  // legacy free text
  expectChannel("hostmaster@acme.example", Kind::host, "hostmaster@acme.example");
  expectChannel("call Bob: +49 30 1234", Kind::host, "call Bob: +49 30 1234");
  expectChannel("Email:ops@acme.example", Kind::host, "Email:ops@acme.example");
  expectChannel("", Kind::host, "");
}

// As sql/023's contact_problem: a real host (name, IPv4, [IPv6]), a port 1..65535, no fragment.
TEST(Channel, AWebhookNeedsAHostAPortInRangeAndNoFragment) {
  for (const char* bad : {"webhook:https://example.com:99999/x", "webhook:https://example.com:0/x",
                          "webhook:https://example.com:/x", "webhook:https://-bad-.example/x",
                          "webhook:https://example.com/x#frag", "webhook:https://exa_mple.com/x",
                          "webhook:https://example..com/x", "webhook:https://[zz::1]/x"}) {
    EXPECT_FALSE(parseChannel(bad).has_value()) << bad;
  }
  for (const char* good :
       {"webhook:https://example.com:65535/x", "webhook:https://10.0.0.7:8443/hook",
        "webhook:https://[2001:db8::1]:8443/x", "webhook:http://[::1]:9000/x",
        "webhook:https://a-b.example.com/x?token=1"}) {
    EXPECT_TRUE(parseChannel(good).has_value()) << good;
  }
}

TEST(Channel, DescribesWithoutQueryOrFragment) {
  EXPECT_EQ(
      describeChannel(*parseChannel("webhook:https://hooks.acme.example:8443/a/b?token=s3cr3t")),
      "webhook:https://hooks.acme.example:8443/a/b");
  // A fragment is refused now, but a contact stored before may have one: not shown either.
  EXPECT_EQ(describeChannel(Channel{Kind::webhook, "https://hooks.acme.example#frag"}),
            "webhook:https://hooks.acme.example");
  EXPECT_EQ(describeChannel(*parseChannel("email:ops@acme.example")), "email:ops@acme.example");
  EXPECT_EQ(describeChannel(*parseChannel("host")), "host");
  EXPECT_EQ(describeChannel(*parseChannel("ops@acme.example")), "host:ops@acme.example");
  EXPECT_EQ(describeChannel(*parseChannel("a\nb")), "host:a\\x0ab");
}

}  // namespace
}  // namespace creditgate
