#include "shared/guest_token.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edgechat::shared {
namespace {

const std::string kToken = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

TEST(GuestToken, Shape) {
  ASSERT_EQ(kToken.size(), kGuestTokenLength);
  EXPECT_TRUE(LooksLikeGuestToken(kToken));
  EXPECT_FALSE(LooksLikeGuestToken(kToken.substr(1)));
  EXPECT_FALSE(LooksLikeGuestToken(kToken + "a"));
  EXPECT_FALSE(LooksLikeGuestToken(kToken.substr(1) + "="));  // padded base64
  EXPECT_FALSE(LooksLikeGuestToken(kToken.substr(1) + "+"));  // base64, not base64url
  EXPECT_FALSE(LooksLikeGuestToken(kToken.substr(1) + "/"));
  EXPECT_FALSE(LooksLikeGuestToken(""));
}

TEST(GuestToken, BearerSchemeInAnyCase) {
  for (const char* scheme : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
    EXPECT_EQ(BearerToken(std::string(scheme) + " " + kToken), kToken) << scheme;
  }
}

TEST(GuestToken, OneOrMoreSpacesBeforeTheToken) {
  // RFC 9110: auth-scheme 1*SP token68. Both sides key and find the same token.
  EXPECT_EQ(BearerToken("Bearer  " + kToken), kToken);
  EXPECT_EQ(BearerToken("Bearer     " + kToken), kToken);
  EXPECT_FALSE(BearerToken("Bearer" + kToken));
}

TEST(GuestToken, TabsAndOtherWhitespaceAreRefused) {
  EXPECT_FALSE(BearerToken("Bearer\t" + kToken));
  EXPECT_FALSE(BearerToken("Bearer \t" + kToken));
  EXPECT_FALSE(BearerToken("Bearer\v" + kToken));
  EXPECT_FALSE(BearerToken(" Bearer " + kToken));
  EXPECT_FALSE(BearerToken("Bearer " + kToken + "\t"));
}

TEST(GuestToken, NothingMayFollowTheToken) {
  EXPECT_FALSE(BearerToken("Bearer " + kToken + " "));
  EXPECT_FALSE(BearerToken("Bearer " + kToken + " junk"));
  EXPECT_FALSE(BearerToken("Bearer " + kToken + ","));
  EXPECT_FALSE(BearerToken("Bearer " + kToken + "a"));
  EXPECT_FALSE(BearerToken("Bearer " + kToken + "="));
  EXPECT_FALSE(BearerToken("Bearer " + kToken + " " + kToken));
}

TEST(GuestToken, WrongLengthOrSchemeIsRefused) {
  EXPECT_FALSE(BearerToken("Bearer " + kToken.substr(1)));
  EXPECT_FALSE(BearerToken("Bearer " + kToken.substr(1) + "="));
  EXPECT_FALSE(BearerToken("Basic " + kToken));
  EXPECT_FALSE(BearerToken("Bearerx " + kToken));
  EXPECT_FALSE(BearerToken("Bear " + kToken));
  EXPECT_FALSE(BearerToken("Bearer "));
  EXPECT_FALSE(BearerToken("Bearer"));
  EXPECT_FALSE(BearerToken(""));
}

}  // namespace
}  // namespace edgechat::shared
