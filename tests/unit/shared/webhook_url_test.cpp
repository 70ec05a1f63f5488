// shared/webhook_url: which addresses a webhook may reach, and which endpoint URLs are accepted.
#include "shared/webhook_url.hpp"

#include <gtest/gtest.h>

#include <string>

using edgechat::shared::AddressAllowed;
using edgechat::shared::AddressClass;
using edgechat::shared::ClassifyAddressText;
using edgechat::shared::kMaxWebhookUrlLength;
using edgechat::shared::ParseWebhookUrl;

namespace {

AddressClass Class(const char* text) {
  auto c = ClassifyAddressText(text);
  EXPECT_TRUE(c.has_value()) << text;
  return c.value_or(AddressClass::kPublic);
}

}  // namespace

TEST(WebhookAddress, Ipv4Ranges) {
  EXPECT_EQ(Class("127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("127.255.1.2"), AddressClass::kLoopback);
  EXPECT_EQ(Class("10.1.2.3"), AddressClass::kPrivate);
  EXPECT_EQ(Class("172.16.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("172.31.255.255"), AddressClass::kPrivate);
  EXPECT_EQ(Class("172.32.0.1"), AddressClass::kPublic);
  EXPECT_EQ(Class("192.168.1.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("169.254.1.1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("169.254.169.254"), AddressClass::kMetadata);
  EXPECT_EQ(Class("0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(Class("100.64.0.1"), AddressClass::kCgnat);
  EXPECT_EQ(Class("100.127.255.255"), AddressClass::kCgnat);
  EXPECT_EQ(Class("100.128.0.1"), AddressClass::kPublic);
  EXPECT_EQ(Class("224.0.0.1"), AddressClass::kMulticast);
  EXPECT_EQ(Class("255.255.255.255"), AddressClass::kReserved);
  EXPECT_EQ(Class("192.0.2.10"), AddressClass::kReserved);
  EXPECT_EQ(Class("93.184.216.34"), AddressClass::kPublic);
  EXPECT_EQ(Class("8.8.8.8"), AddressClass::kPublic);
}

TEST(WebhookAddress, Ipv6RangesAndEmbeddedIpv4) {
  EXPECT_EQ(Class("::1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("::"), AddressClass::kUnspecified);
  EXPECT_EQ(Class("fc00::1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("fd12:3456::1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("fe80::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("febf::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(Class("ff02::1"), AddressClass::kMulticast);
  EXPECT_EQ(Class("fd00:ec2::254"), AddressClass::kMetadata);
  EXPECT_EQ(Class("2001:db8::1"), AddressClass::kReserved);
  EXPECT_EQ(Class("2606:4700::1111"), AddressClass::kPublic);
  // Mapped, compatible, NAT64 and 6to4 forms are judged by the IPv4 address inside.
  EXPECT_EQ(Class("::ffff:127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("::ffff:7f00:1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("::ffff:169.254.169.254"), AddressClass::kMetadata);
  EXPECT_EQ(Class("::ffff:10.0.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("::ffff:8.8.8.8"), AddressClass::kPublic);
  EXPECT_EQ(Class("::127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(Class("64:ff9b::a9fe:a9fe"), AddressClass::kMetadata);
  EXPECT_EQ(Class("64:ff9b::808:808"), AddressClass::kPublic);
  EXPECT_EQ(Class("2002:c0a8:0101::1"), AddressClass::kPrivate);
  EXPECT_EQ(Class("2002:0808:0808::1"), AddressClass::kPublic);
  EXPECT_FALSE(ClassifyAddressText("example.com").has_value());
  EXPECT_FALSE(ClassifyAddressText("").has_value());
}

TEST(WebhookAddress, AllowPrivateNeverOpensMetadata) {
  EXPECT_TRUE(AddressAllowed(AddressClass::kPublic, false));
  EXPECT_FALSE(AddressAllowed(AddressClass::kLoopback, false));
  EXPECT_TRUE(AddressAllowed(AddressClass::kLoopback, true));
  EXPECT_TRUE(AddressAllowed(AddressClass::kPrivate, true));
  EXPECT_FALSE(AddressAllowed(AddressClass::kMetadata, true));
  EXPECT_FALSE(AddressAllowed(AddressClass::kMetadata, false));
}

TEST(WebhookUrl, AcceptsHttpsUrls) {
  auto u = ParseWebhookUrl("https://Hooks.Example.com/edgechat?x=1", false);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_TRUE(u->https);
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/edgechat?x=1");
  EXPECT_FALSE(u->host_is_ip);
  auto bare = ParseWebhookUrl("https://example.com:8443", false);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 8443);
  EXPECT_EQ(bare->target, "/");
  auto v6 = ParseWebhookUrl("https://[2606:4700::1111]:9000/h", false);
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "2606:4700::1111");
  EXPECT_TRUE(v6->host_is_ip);
}

TEST(WebhookUrl, PlainHttpAndPrivateLiteralsNeedAllowPrivate) {
  EXPECT_FALSE(ParseWebhookUrl("http://example.com/h", false).ok());
  EXPECT_TRUE(ParseWebhookUrl("http://example.com/h", true).ok());
  auto loop = ParseWebhookUrl("https://127.0.0.1:9000/h", false);
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().code, "invalid_url");
  EXPECT_NE(loop.error().message.find("loopback"), std::string::npos);
  EXPECT_TRUE(ParseWebhookUrl("http://127.0.0.1:9000/h", true).ok());
  EXPECT_FALSE(ParseWebhookUrl("https://[::1]/h", false).ok());
  EXPECT_FALSE(ParseWebhookUrl("https://[::ffff:127.0.0.1]/h", false).ok());
  EXPECT_FALSE(ParseWebhookUrl("https://10.0.0.5/h", false).ok());
  // The metadata address stays refused even with private addresses allowed.
  auto meta = ParseWebhookUrl("http://169.254.169.254/latest/meta-data", true);
  ASSERT_FALSE(meta.ok());
  EXPECT_NE(meta.error().message.find("metadata"), std::string::npos);
}

TEST(WebhookUrl, RefusesMalformedUrls) {
  for (const char* bad :
       {"", "ftp://example.com/", "example.com/h", "https://", "https:///h",
        "https://user:pass@example.com/h", "https://example.com/h#frag", "https://exa mple.com/h",
        "https://example.com:0/h", "https://example.com:65536/h", "https://example.com:/h",
        "https://example.com:80a/h", "https://[::1/h", "https://[example.com]/h",
        "https://exa_mple.com/h", "https://1.2.3/h", "https://example.com/\x7f",
        "https://example.com/caf\xc3\xa9"}) {
    auto u = ParseWebhookUrl(bad, true);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_EQ(u.error().code, "invalid_url") << bad;
    }
  }
  std::string longest = "https://example.com/" + std::string(kMaxWebhookUrlLength - 20, 'a');
  EXPECT_TRUE(ParseWebhookUrl(longest, false).ok());
  EXPECT_FALSE(ParseWebhookUrl(longest + "a", false).ok());
}
