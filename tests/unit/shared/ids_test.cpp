#include "shared/ids.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edgechat::shared {
namespace {

TEST(SiteKey, Syntax) {
  EXPECT_TRUE(IsValidSiteKey("ek_abcdefghijklmnopqrstuvwx"));
  EXPECT_TRUE(IsValidSiteKey("ek_ABCDEFGHIJKLMNOPQRSTUV09"));
  EXPECT_FALSE(IsValidSiteKey(""));
  EXPECT_FALSE(IsValidSiteKey("ek_"));
  EXPECT_FALSE(IsValidSiteKey("ek_abcdefghijklmnopqrstuvw"));    // 23
  EXPECT_FALSE(IsValidSiteKey("ek_abcdefghijklmnopqrstuvwxy"));  // 25
  EXPECT_FALSE(IsValidSiteKey("EK_abcdefghijklmnopqrstuvwx"));
  EXPECT_FALSE(IsValidSiteKey("ek_abcdefghijklmnopqrstuv-x"));
  EXPECT_FALSE(IsValidSiteKey("ek_abcdefghijklmnopqrstuv x"));
  EXPECT_FALSE(IsValidSiteKey(std::string_view("ek_abcdefghijklmnopqrstuv\0x", 27)));
}

TEST(SiteKey, PrefixAndLengthAreTheFormat) {
  std::string key = std::string(kSiteKeyPrefix) + std::string(kIdRandomLength, 'a');
  EXPECT_TRUE(IsValidSiteKey(key));
  EXPECT_FALSE(IsValidSiteKey(key + "a"));
  EXPECT_FALSE(IsValidSiteKey(std::string(kGuestIdPrefix) + std::string(kIdRandomLength, 'a')));
}

}  // namespace
}  // namespace edgechat::shared
