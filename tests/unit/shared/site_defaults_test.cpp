#include "shared/site_defaults.hpp"

#include <gtest/gtest.h>

namespace edgechat::shared {
namespace {

TEST(Color, HexInEitherCaseIsLowerCased) {
  EXPECT_EQ(ParseColor("#2563eb").value(), "#2563eb");
  EXPECT_EQ(ParseColor("#A1B2C3").value(), "#a1b2c3");
  EXPECT_EQ(ParseColor(kDefaultPrimaryColor).value(), kDefaultPrimaryColor);
}

TEST(Color, AnythingElseIsRefused) {
  for (const char* text :
       {"", "#", "2563eb", "#2563e", "#2563ebb", "#2563eg", "red", " #2563eb", "#2563e\xc3"}) {
    Result<std::string> color = ParseColor(text);
    ASSERT_FALSE(color.ok()) << text;
    EXPECT_EQ(color.error().code, "invalid_color");
    EXPECT_EQ(color.error().message,
              "colour must look like #2563eb, got \"" + std::string(text) + "\"");
  }
}

TEST(SiteLimits, DefaultsAreTheNamedOnes) {
  SiteLimits limits;
  EXPECT_EQ(limits.messages, kDefaultLimitMessages);
  EXPECT_EQ(limits.window_seconds, kDefaultLimitWindowSeconds);
  EXPECT_EQ(limits.burst, kDefaultLimitBurst);
  EXPECT_EQ(limits.message, kDefaultLimitMessage);
}

}  // namespace
}  // namespace edgechat::shared
