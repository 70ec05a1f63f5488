#include "shared/origin.hpp"

#include <gtest/gtest.h>

namespace edgechat::shared {
namespace {

std::string Normalized(std::string_view entry) {
  Result<std::string> result = NormalizeAllowedOrigin(entry);
  return result ? result.value() : "ERROR: " + result.error().message;
}

bool Rejected(std::string_view entry) {
  return !ParseAllowedOrigin(entry).ok();
}
bool RequestRejected(std::string_view header) {
  return !ParseRequestOrigin(header).ok();
}

bool Allowed(std::vector<std::string_view> entries, std::string_view header) {
  std::vector<Origin> allowed;
  for (std::string_view entry : entries) {
    Result<Origin> origin = ParseAllowedOrigin(entry);
    EXPECT_TRUE(origin.ok()) << entry;
    if (origin) allowed.push_back(origin.value());
  }
  Result<Origin> request = ParseRequestOrigin(header);
  return request.ok() && OriginAllowed(allowed, request.value());
}

TEST(ParseAllowedOrigin, AcceptsExactOrigins) {
  EXPECT_EQ(Normalized("https://shop.example"), "https://shop.example");
  EXPECT_EQ(Normalized("http://localhost:5000"), "http://localhost:5000");
  EXPECT_EQ(Normalized("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(Normalized("https://xn--bcher-kva.example"), "https://xn--bcher-kva.example");
}

TEST(ParseAllowedOrigin, NormalizesCaseDefaultPortsAndSlash) {
  EXPECT_EQ(Normalized("HTTPS://Shop.EXAMPLE"), "https://shop.example");
  EXPECT_EQ(Normalized("https://shop.example:443"), "https://shop.example");
  EXPECT_EQ(Normalized("http://shop.example:80"), "http://shop.example");
  EXPECT_EQ(Normalized("http://shop.example:443"), "http://shop.example:443");
  EXPECT_EQ(Normalized("https://shop.example:80"), "https://shop.example:80");
  EXPECT_EQ(Normalized("  https://shop.example/ "), "https://shop.example");
}

TEST(ParseAllowedOrigin, Wildcards) {
  EXPECT_EQ(Normalized("https://*.example.com"), "https://*.example.com");
  // A bare wildcard means https only.
  EXPECT_EQ(Normalized("*.Example.com"), "https://*.example.com");
  EXPECT_EQ(Normalized("http://*.example.com:8080"), "http://*.example.com:8080");
  Result<Origin> origin = ParseAllowedOrigin("*.example.com");
  ASSERT_TRUE(origin.ok());
  EXPECT_TRUE(origin->wildcard);
  EXPECT_EQ(origin->host, "example.com");
  EXPECT_EQ(origin->port, 443);

  EXPECT_TRUE(Rejected("*"));
  EXPECT_TRUE(Rejected("https://*"));
  EXPECT_TRUE(Rejected("*.com"));
  EXPECT_TRUE(Rejected("https://a.*.example.com"));
  EXPECT_TRUE(Rejected("https://*example.com"));
  EXPECT_TRUE(Rejected("https://*.*.example.com"));
  EXPECT_TRUE(Rejected("*.127.0.0.1"));
  EXPECT_TRUE(Rejected("shop.example"));  // an exact entry needs its scheme
}

TEST(ParseAllowedOrigin, ClearErrors) {
  EXPECT_EQ(Normalized("https://shop.example/path"), "ERROR: origin must not have a path");
  EXPECT_EQ(Normalized("https://shop.example?q"), "ERROR: origin must not have a query");
  EXPECT_EQ(Normalized("https://shop.example#x"), "ERROR: origin must not have a fragment");
  EXPECT_EQ(Normalized("ftp://shop.example"),
            "ERROR: unsupported scheme \"ftp\": use http or https");
  EXPECT_EQ(ParseAllowedOrigin("https://a@b").error().code, "invalid_origin");
  EXPECT_EQ(Normalized("https://a@b"), "ERROR: origin must not contain user info (user@host)");
}

TEST(ParseAllowedOrigin, RejectsMalformedHostsAndPorts) {
  EXPECT_TRUE(Rejected(""));
  EXPECT_TRUE(Rejected("   "));
  EXPECT_TRUE(Rejected("https://"));
  EXPECT_TRUE(Rejected("https://shop.example."));  // trailing dot
  EXPECT_TRUE(Rejected("https://shop..example"));
  EXPECT_TRUE(Rejected("https://-shop.example"));
  EXPECT_TRUE(Rejected("https://shop_.example"));
  EXPECT_TRUE(Rejected("https://shop.example:"));
  EXPECT_TRUE(Rejected("https://shop.example:0"));
  EXPECT_TRUE(Rejected("https://shop.example:65536"));
  EXPECT_TRUE(Rejected("https://shop.example:+80"));
  EXPECT_TRUE(Rejected("https://shop.example:8a"));
  EXPECT_TRUE(Rejected("https://user:pass@shop.example"));
  EXPECT_TRUE(Rejected("https://shop.example\\evil"));
  EXPECT_TRUE(Rejected("https://shop example"));
  EXPECT_TRUE(Rejected("https://shop\t.example"));
  EXPECT_TRUE(Rejected("null"));
  EXPECT_TRUE(Rejected("NULL"));
  EXPECT_TRUE(Rejected("https://" + std::string(64, 'a') + ".example"));
}

TEST(ParseAllowedOrigin, IdnMustBePunycode) {
  EXPECT_TRUE(Rejected("https://bücher.example"));
  EXPECT_TRUE(Rejected("https://فروشگاه.example"));
  EXPECT_FALSE(Rejected("https://xn--mgbai9azgqp6j.example"));
}

TEST(ParseAllowedOrigin, IpLiterals) {
  EXPECT_EQ(Normalized("http://[::1]:8080"), "http://[::1]:8080");
  EXPECT_EQ(Normalized("http://[0:0:0:0:0:0:0:1]"), "http://[::1]");
  EXPECT_EQ(Normalized("http://[2001:DB8::1]"), "http://[2001:db8::1]");
  EXPECT_TRUE(Rejected("http://::1"));
  EXPECT_TRUE(Rejected("http://[::1"));
  EXPECT_TRUE(Rejected("http://[fe80::1%25eth0]"));
  EXPECT_TRUE(Rejected("http://[::1]x"));
  // Non-canonical IPv4 forms mean something else to a browser.
  EXPECT_TRUE(Rejected("http://127.1"));
  EXPECT_TRUE(Rejected("http://0x7f.0.0.1"));
  EXPECT_TRUE(Rejected("http://127.0.0.01"));
  EXPECT_TRUE(Rejected("http://256.0.0.1"));
  EXPECT_TRUE(Rejected("http://2130706433"));
}

TEST(ParseRequestOrigin, StrictForm) {
  Result<Origin> origin = ParseRequestOrigin("https://shop.example");
  ASSERT_TRUE(origin.ok());
  EXPECT_EQ(origin->scheme, "https");
  EXPECT_EQ(origin->host, "shop.example");
  EXPECT_EQ(origin->port, 443);
  EXPECT_FALSE(origin->wildcard);

  EXPECT_TRUE(RequestRejected("null"));
  EXPECT_TRUE(RequestRejected("*"));
  EXPECT_TRUE(RequestRejected("*.example.com"));
  EXPECT_TRUE(RequestRejected("https://*.example.com"));
  EXPECT_TRUE(RequestRejected("https://shop.example/"));
  EXPECT_TRUE(RequestRejected("https://shop.example/x"));
  EXPECT_TRUE(RequestRejected("https://a@shop.example"));
  EXPECT_TRUE(RequestRejected("https://shop.example."));
  EXPECT_TRUE(RequestRejected(" https://shop.example"));
  EXPECT_TRUE(RequestRejected("file://"));
  EXPECT_TRUE(RequestRejected("shop.example"));
  EXPECT_TRUE(RequestRejected("https://shop.example, https://evil.test"));
}

TEST(OriginAllowed, ExactTupleComparison) {
  std::vector<std::string_view> list = {"https://shop.example", "http://localhost:5000"};
  EXPECT_TRUE(Allowed(list, "https://shop.example"));
  EXPECT_TRUE(Allowed(list, "https://SHOP.example"));
  EXPECT_TRUE(Allowed(list, "https://shop.example:443"));
  EXPECT_TRUE(Allowed(list, "http://localhost:5000"));
  EXPECT_FALSE(Allowed(list, "http://shop.example"));             // scheme
  EXPECT_FALSE(Allowed(list, "https://shop.example:8443"));       // port
  EXPECT_FALSE(Allowed(list, "http://localhost:5001"));           // port
  EXPECT_FALSE(Allowed(list, "http://localhost"));                // port
  EXPECT_FALSE(Allowed(list, "https://localhost:5000"));          // scheme
  EXPECT_FALSE(Allowed(list, "https://shop.example.evil.test"));  // suffix trick
  EXPECT_FALSE(Allowed(list, "https://evilshop.example"));        // prefix trick
  EXPECT_FALSE(Allowed(list, "https://a.shop.example"));          // no implicit subdomains
  EXPECT_FALSE(Allowed(list, "https://shop.example."));           // trailing dot
  EXPECT_FALSE(Allowed(list, "null"));
}

TEST(OriginAllowed, PrefixAndSuffixTricks) {
  EXPECT_FALSE(Allowed({"https://foo.com"}, "https://barfoo.com"));
  EXPECT_FALSE(Allowed({"https://example.com"}, "https://example.com.evil.test"));
  EXPECT_FALSE(Allowed({"*.foo.com"}, "https://barfoo.com"));
  EXPECT_FALSE(Allowed({"*.example.com"}, "https://evilexample.com"));
  EXPECT_FALSE(Allowed({"*.example.com"}, "https://a.example.com.evil.test"));
  EXPECT_FALSE(Allowed({"https://example.com"}, "https://example.com@evil.test"));
}

TEST(OriginAllowed, WildcardAtDotBoundaryOnly) {
  std::vector<std::string_view> list = {"*.example.com"};
  EXPECT_TRUE(Allowed(list, "https://a.example.com"));
  EXPECT_TRUE(Allowed(list, "https://a.b.example.com"));
  EXPECT_FALSE(Allowed(list, "https://example.com"));   // never the apex unless listed
  EXPECT_FALSE(Allowed(list, "http://a.example.com"));  // bare wildcard is https only
  EXPECT_FALSE(Allowed(list, "https://a.example.com:8443"));
  EXPECT_FALSE(Allowed(list, "https://.example.com"));
  EXPECT_TRUE(Allowed({"*.example.com", "https://example.com"}, "https://example.com"));
  EXPECT_TRUE(Allowed({"http://*.example.com:8080"}, "http://x.example.com:8080"));
}

TEST(OriginAllowed, IdnAndIpv6) {
  EXPECT_TRUE(Allowed({"https://xn--bcher-kva.example"}, "https://xn--bcher-kva.example"));
  EXPECT_FALSE(Allowed({"https://xn--bcher-kva.example"}, "https://bücher.example"));
  EXPECT_TRUE(Allowed({"http://[::1]:5000"}, "http://[0::1]:5000"));
  EXPECT_FALSE(Allowed({"http://[::1]:5000"}, "http://[::2]:5000"));
  EXPECT_FALSE(Allowed({"*.example.com"}, "https://[::1]"));
}

TEST(Origin, ToStringRoundTrips) {
  for (std::string_view entry : {"https://shop.example", "http://localhost:5000",
                                 "https://*.example.com", "http://[::1]:8080"}) {
    Result<Origin> origin = ParseAllowedOrigin(entry);
    ASSERT_TRUE(origin.ok()) << entry;
    EXPECT_EQ(origin->ToString(), entry);
    EXPECT_EQ(ParseAllowedOrigin(origin->ToString()).value(), origin.value());
  }
}

}  // namespace
}  // namespace edgechat::shared
