#include "shared/registry.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "shared/ids.hpp"

namespace edgechat::shared {
namespace {

constexpr std::string_view kDocument = R"({"revision": 42,
 "sites": [{"key": "ek_abcdefghijklmnopqrstuvwx", "name": "shop", "title": "Chat with us",
            "primaryColor": "#2563eb", "locked": false, "lockedMessage": "", "locale": null,
            "main": false, "origins": ["https://shop.example", "*.example.org", "ftp://bad"],
            "limits": {"messages": 20, "windowSeconds": 60, "burst": 5, "message": "Slow down"}},
           {"key": "ek_ABCDEFGHIJKLMNOPQRSTUVWX", "title": "Main", "locked": true,
            "lockedMessage": "Closed", "locale": "fa", "main": true, "origins": []},
           {"key": "not-a-key"}]})";

TEST(ParseRegistry, ParsesSitesAndSkipsBadEntries) {
  Result<Registry> registry = ParseRegistry(kDocument);
  ASSERT_TRUE(registry.ok()) << registry.error().message;
  EXPECT_EQ(registry->revision, 42);
  EXPECT_EQ(registry->sites.size(), 2u);
  EXPECT_EQ(registry->warnings.size(), 2u);  // ftp://bad and not-a-key

  const Site* shop = registry->Find("ek_abcdefghijklmnopqrstuvwx");
  ASSERT_NE(shop, nullptr);
  EXPECT_EQ(shop->name, "shop");
  EXPECT_EQ(shop->title, "Chat with us");
  EXPECT_FALSE(shop->locked);
  EXPECT_FALSE(shop->locale.has_value());
  EXPECT_EQ(shop->origins.entries().size(), 2u);
  EXPECT_EQ(shop->limits.messages, 20u);
  EXPECT_EQ(shop->limits.message, "Slow down");
  EXPECT_EQ(registry->Find("ek_zzzzzzzzzzzzzzzzzzzzzzzz"), nullptr);
  EXPECT_EQ(registry->Find(""), nullptr);

  const Site* main = registry->Find("ek_ABCDEFGHIJKLMNOPQRSTUVWX");
  ASSERT_NE(main, nullptr);
  EXPECT_TRUE(main->main);
  EXPECT_TRUE(main->locked);
  EXPECT_EQ(main->locale.value(), "fa");
  EXPECT_EQ(main->limits.messages, SiteLimits{}.messages);  // defaults
}

TEST(ParseRegistry, ConfigJsonShape) {
  Result<Registry> registry = ParseRegistry(kDocument);
  ASSERT_TRUE(registry.ok());
  auto config = nlohmann::json::parse(registry->Find("ek_abcdefghijklmnopqrstuvwx")->config_json);
  EXPECT_EQ(config["title"], "Chat with us");
  EXPECT_EQ(config["primaryColor"], "#2563eb");
  EXPECT_EQ(config["locked"], false);
  EXPECT_EQ(config["lockedMessage"], "");
  EXPECT_TRUE(config["locale"].is_null());
  EXPECT_EQ(config["limits"]["maxMessageLength"], 2000);
  EXPECT_EQ(config["limits"]["messages"], 20);
  EXPECT_EQ(config["limits"]["windowSeconds"], 60);
  EXPECT_EQ(config["limits"]["burst"], 5);
  EXPECT_FALSE(config.contains("key"));
  auto limited = nlohmann::json::parse(registry->Find("ek_abcdefghijklmnopqrstuvwx")->limited_json);
  EXPECT_EQ(limited["error"], "rate_limited");
  EXPECT_EQ(limited["message"], "Slow down");
}

TEST(ParseRegistry, StructuralErrorsFailTheDocument) {
  EXPECT_FALSE(ParseRegistry("").ok());
  EXPECT_FALSE(ParseRegistry("{").ok());
  EXPECT_FALSE(ParseRegistry("[]").ok());
  EXPECT_FALSE(ParseRegistry(R"({"revision": 1})").ok());
  EXPECT_FALSE(ParseRegistry(R"({"sites": {}})").ok());
  EXPECT_EQ(ParseRegistry("{").error().code, "invalid_registry");
  Result<Registry> empty = ParseRegistry(R"({"revision": 3, "sites": []})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->sites.empty());
}

TEST(ParseRegistry, ClampsLimitsAndColors) {
  Result<Registry> registry = ParseRegistry(R"({"sites": [{"key": "ek_abcdefghijklmnopqrstuvwx",
      "primaryColor": "red;}", "limits": {"messages": 0, "windowSeconds": -5, "burst": -1}}]})");
  ASSERT_TRUE(registry.ok());
  const Site& site = registry->sites.begin()->second;
  EXPECT_EQ(site.primary_color, "#2563eb");
  EXPECT_EQ(site.limits.messages, 1u);
  EXPECT_EQ(site.limits.window_seconds, 1u);
  EXPECT_EQ(site.limits.burst, 0u);
}

TEST(ParseRegistry, AnySiteOriginsIsTheUnion) {
  Result<Registry> registry = ParseRegistry(kDocument);
  ASSERT_TRUE(registry.ok());
  EXPECT_TRUE(
      registry->any_site_origins.Contains(ParseRequestOrigin("https://shop.example").value()));
  EXPECT_TRUE(
      registry->any_site_origins.Contains(ParseRequestOrigin("https://a.example.org").value()));
  EXPECT_FALSE(
      registry->any_site_origins.Contains(ParseRequestOrigin("https://example.org").value()));
  EXPECT_FALSE(
      registry->any_site_origins.Contains(ParseRequestOrigin("http://shop.example").value()));
}

TEST(ParseRegistry, DuplicateKeysAndOddTypes) {
  Result<Registry> registry = ParseRegistry(R"({"revision": "7", "sites": [
      {"key": "ek_abcdefghijklmnopqrstuvwx", "title": "first", "origins": "https://a.example"},
      {"key": "ek_abcdefghijklmnopqrstuvwx", "title": "second"},
      {"key": 42}, "not an object", null,
      {"key": "ek_ABCDEFGHIJKLMNOPQRSTUVWX", "title": 5, "locked": "yes", "origins": [1, null,
       "https://b.example"], "limits": {"messages": "many", "burst": 2.5}}]})");
  ASSERT_TRUE(registry.ok());
  EXPECT_EQ(registry->revision, 0);  // not an integer: unknown
  EXPECT_EQ(registry->sites.size(), 2u);
  EXPECT_EQ(registry->Find("ek_abcdefghijklmnopqrstuvwx")->title, "first");
  EXPECT_TRUE(registry->Find("ek_abcdefghijklmnopqrstuvwx")->origins.empty());
  const Site* odd = registry->Find("ek_ABCDEFGHIJKLMNOPQRSTUVWX");
  ASSERT_NE(odd, nullptr);
  EXPECT_EQ(odd->title, "Chat");
  EXPECT_FALSE(odd->locked);
  EXPECT_EQ(odd->origins.entries().size(), 1u);
  EXPECT_EQ(odd->limits.messages, SiteLimits{}.messages);
  EXPECT_EQ(odd->limits.burst, SiteLimits{}.burst);
  EXPECT_GE(registry->warnings.size(), 4u);
}

TEST(OriginSet, ExactEntriesCompareWholeTuples) {
  OriginSet set;
  set.Add(ParseAllowedOrigin("https://a.example").value());
  set.Add(ParseAllowedOrigin("http://a.example:8080").value());
  EXPECT_TRUE(set.Contains(ParseRequestOrigin("https://a.example").value()));
  EXPECT_TRUE(set.Contains(ParseRequestOrigin("http://a.example:8080").value()));
  EXPECT_FALSE(set.Contains(ParseRequestOrigin("http://a.example").value()));
  EXPECT_FALSE(set.Contains(ParseRequestOrigin("https://a.example:8080").value()));
  EXPECT_FALSE(set.Contains(ParseRequestOrigin("https://b.a.example").value()));
  Origin wildcard_request = ParseAllowedOrigin("*.a.example").value();
  EXPECT_FALSE(set.Contains(wildcard_request));
}

TEST(FrameCsp, BuiltFromWhitelist) {
  OriginSet origins;
  origins.Add(ParseAllowedOrigin("https://shop.example").value());
  origins.Add(ParseAllowedOrigin("*.example.org").value());
  origins.Add(ParseAllowedOrigin("https://shop.example:443").value());
  std::string csp = FrameContentSecurityPolicy(origins);
  EXPECT_NE(csp.find("frame-ancestors https://shop.example https://*.example.org"),
            std::string::npos)
      << csp;
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("object-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("base-uri 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_TRUE(FrameContentSecurityPolicy(OriginSet{}).ends_with("frame-ancestors 'none'"));
  EXPECT_TRUE(UnknownSiteFrameCsp().ends_with("frame-ancestors 'none'"));
}

TEST(RegistryDocument, TheParserReadsWhatTheWriterWrites) {
  RegistryEntry entry;
  entry.key = std::string(kSiteKeyPrefix) + std::string(kIdRandomLength, 'q');
  entry.primary_color = "#A1B2C3";  // kept as written
  entry.locale = "fa";
  entry.origins = {"*.example.org"};
  entry.limits.burst = 9;
  entry.limits.message = "";  // the default
  Result<Registry> registry = ParseRegistry(RegistryDocument(9, {entry}).dump());
  ASSERT_TRUE(registry.ok()) << registry.error().message;
  EXPECT_EQ(registry->revision, 9);
  EXPECT_TRUE(registry->warnings.empty());
  const Site* site = registry->Find(entry.key);
  ASSERT_NE(site, nullptr);
  EXPECT_EQ(site->primary_color, "#A1B2C3");
  EXPECT_EQ(site->locale.value(), "fa");
  EXPECT_EQ(site->origins.entries().size(), 1u);
  EXPECT_EQ(site->limits.burst, 9u);
  EXPECT_EQ(site->limits.message, kDefaultLimitMessage);
}

TEST(RegistryDocument, KeyNames) {
  EXPECT_STREQ(kRegistryKey, "edgechat:registry");
  EXPECT_STREQ(kRegistryRevisionKey, "edgechat:registry:rev");
}

}  // namespace
}  // namespace edgechat::shared
