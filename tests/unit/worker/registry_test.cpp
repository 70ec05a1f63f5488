#include <gtest/gtest.h>

#include "registry/registry.hpp"
#include "shared/registry.hpp"

namespace edgechat::worker {
namespace {

TEST(Registry, DocumentShape) {
  Site s;
  s.key = "ek_abc";
  s.name = "shop";
  s.title = "Hi";
  s.primary_color = "#2563eb";
  s.origins = {"https://shop.example", "https://*.example.org"};
  s.limits.messages = 10;
  auto doc = RegistryDocument(42, {s});
  EXPECT_EQ(doc["revision"], 42);
  ASSERT_EQ(doc["sites"].size(), 1u);
  const auto& site = doc["sites"][0];
  EXPECT_EQ(site["key"], "ek_abc");
  EXPECT_EQ(site["main"], false);
  EXPECT_TRUE(site["locale"].is_null());
  EXPECT_EQ(site["origins"].size(), 2u);
  EXPECT_EQ(site["limits"]["messages"], 10);
  EXPECT_EQ(site["limits"]["windowSeconds"], 60);
  EXPECT_EQ(site["limits"]["burst"], 5);
}

TEST(Registry, TheEdgeParsesWhatWePublish) {
  Site s;
  s.key = "ek_abcdefghijklmnopqrstuvwx";
  s.name = "shop";
  s.title = "Hi";
  s.primary_color = "#2563eb";
  s.locked = true;
  s.locked_message = "closed";
  s.origins = {"https://shop.example", "https://*.example.org"};
  auto parsed = shared::ParseRegistry(RegistryDocument(7, {s}).dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->revision, 7);
  EXPECT_TRUE(parsed->warnings.empty());
  const shared::Site* site = parsed->Find(s.key);
  ASSERT_NE(site, nullptr);
  EXPECT_TRUE(site->locked);
  EXPECT_EQ(site->origins.entries().size(), 2u);
}

}  // namespace
}  // namespace edgechat::worker
