#include "core/route_limits.hpp"

#include <gtest/gtest.h>

namespace edgechat::core {
namespace {

using shared::ApiRoute;

TEST(ApiRoutes, Limits) {
  EXPECT_EQ(LimitFor(ApiRoute::kMessages, "POST"), LimitKind::kMessage);
  EXPECT_EQ(LimitFor(ApiRoute::kMessages, "GET"), LimitKind::kHistory);
  EXPECT_EQ(LimitFor(ApiRoute::kGuests, "POST"), LimitKind::kGuestCreation);
  EXPECT_EQ(LimitFor(ApiRoute::kReaction, "PUT"), LimitKind::kReaction);
  EXPECT_EQ(LimitFor(ApiRoute::kEventTicket, "POST"), LimitKind::kTicket);
  EXPECT_EQ(LimitFor(ApiRoute::kTyping, "POST"), LimitKind::kTyping);
  EXPECT_EQ(LimitFor(ApiRoute::kTyping, "OPTIONS"), LimitKind::kNone);
  EXPECT_EQ(LimitFor(ApiRoute::kRead, "POST"), LimitKind::kRead);
  EXPECT_EQ(LimitFor(ApiRoute::kRead, "GET"), LimitKind::kNone);
  EXPECT_EQ(LimitFor(ApiRoute::kConfig, "GET"), LimitKind::kNone);
  EXPECT_EQ(LimitFor(ApiRoute::kEvents, "GET"), LimitKind::kNone);
  EXPECT_EQ(LimitFor(ApiRoute::kMessages, "OPTIONS"), LimitKind::kNone);
  EXPECT_EQ(LimitFor(ApiRoute::kUnknown, "GET"), LimitKind::kNone);
}

TEST(ApiRoutes, LimitKeysAreDistinctPerKind) {
  const LimitKind kinds[] = {LimitKind::kMessage, LimitKind::kGuestCreation, LimitKind::kReaction,
                             LimitKind::kTicket,  LimitKind::kHistory,       LimitKind::kTyping,
                             LimitKind::kRead};
  for (LimitKind a : kinds) {
    EXPECT_FALSE(LimitKeyTag(a).empty());
    EXPECT_NE(LimitKeyTag(a), kRequestLimitKeyTag);
    for (LimitKind b : kinds) {
      if (a != b) {
        EXPECT_NE(LimitKeyTag(a), LimitKeyTag(b));
      }
    }
  }
  // Guest creation comes before there is a guest; every other route acts for one.
  EXPECT_FALSE(LimitPerGuest(LimitKind::kGuestCreation));
  EXPECT_TRUE(LimitPerGuest(LimitKind::kMessage));
  EXPECT_TRUE(LimitPerGuest(LimitKind::kReaction));
  EXPECT_TRUE(LimitPerGuest(LimitKind::kTicket));
  EXPECT_TRUE(LimitPerGuest(LimitKind::kHistory));
  EXPECT_TRUE(LimitPerGuest(LimitKind::kTyping));
  EXPECT_TRUE(LimitPerGuest(LimitKind::kRead));
}

}  // namespace
}  // namespace edgechat::core
