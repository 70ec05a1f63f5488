#include "shared/site_defaults.hpp"

#include <gtest/gtest.h>

namespace edgechat::shared {
namespace {

TEST(Color, HexInEitherCaseIsLowerCased) {
  EXPECT_EQ(NormalizeColor("#2563eb"), "#2563eb");
  EXPECT_EQ(NormalizeColor("#A1B2C3"), "#a1b2c3");
  EXPECT_EQ(NormalizeColor(kDefaultPrimaryColor), kDefaultPrimaryColor);
}

TEST(Color, AnythingElseIsRefused) {
  for (const char* text :
       {"", "#", "2563eb", "#2563e", "#2563ebb", "#2563eg", "red", " #2563eb", "#2563e\xc3"}) {
    EXPECT_EQ(NormalizeColor(text), "") << text;
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
