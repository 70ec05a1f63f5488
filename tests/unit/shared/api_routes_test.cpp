#include "shared/api_routes.hpp"

#include <gtest/gtest.h>

namespace edgechat::shared {
namespace {

TEST(ApiRoutes, Classify) {
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/config"), ApiRoute::kConfig);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/guests"), ApiRoute::kGuests);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/messages"), ApiRoute::kMessages);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/events"), ApiRoute::kEvents);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/events/ticket"), ApiRoute::kEventTicket);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/events/tickets"), ApiRoute::kUnknown);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/messages/123/reaction"), ApiRoute::kReaction);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/messages/m_AbC-9/reaction"), ApiRoute::kReaction);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/messages//reaction"), ApiRoute::kUnknown);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/messages/a.b/reaction"), ApiRoute::kUnknown);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/config/"), ApiRoute::kUnknown);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/"), ApiRoute::kUnknown);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/admin"), ApiRoute::kUnknown);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/configx"), ApiRoute::kUnknown);
}

TEST(ApiRoutes, Methods) {
  EXPECT_TRUE(MethodAllowed(ApiRoute::kConfig, "GET"));
  EXPECT_TRUE(MethodAllowed(ApiRoute::kConfig, "HEAD"));
  EXPECT_FALSE(MethodAllowed(ApiRoute::kConfig, "POST"));
  EXPECT_TRUE(MethodAllowed(ApiRoute::kGuests, "POST"));
  EXPECT_FALSE(MethodAllowed(ApiRoute::kGuests, "GET"));
  EXPECT_TRUE(MethodAllowed(ApiRoute::kMessages, "POST"));
  EXPECT_FALSE(MethodAllowed(ApiRoute::kMessages, "DELETE"));
  EXPECT_TRUE(MethodAllowed(ApiRoute::kReaction, "PUT"));
  EXPECT_FALSE(MethodAllowed(ApiRoute::kReaction, "POST"));
  EXPECT_TRUE(MethodAllowed(ApiRoute::kEvents, "OPTIONS"));
  EXPECT_TRUE(MethodAllowed(ApiRoute::kEventTicket, "POST"));
  EXPECT_FALSE(MethodAllowed(ApiRoute::kEventTicket, "GET"));
  EXPECT_EQ(AllowedMethods(ApiRoute::kEventTicket), "POST, OPTIONS");
  // Only the stream takes its key from the URL (EventSource sends no headers).
  EXPECT_TRUE(SiteKeyMayComeFromQuery(ApiRoute::kEvents));
  EXPECT_FALSE(SiteKeyMayComeFromQuery(ApiRoute::kEventTicket));
  EXPECT_FALSE(SiteKeyMayComeFromQuery(ApiRoute::kMessages));
  EXPECT_FALSE(MethodAllowed(ApiRoute::kUnknown, "OPTIONS"));
  EXPECT_EQ(AllowedMethods(ApiRoute::kMessages), "GET, POST, OPTIONS");
}

TEST(ApiRoutes, Typing) {
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/typing"), ApiRoute::kTyping);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/typing/"), ApiRoute::kUnknown);
  EXPECT_TRUE(MethodAllowed(ApiRoute::kTyping, "POST"));
  EXPECT_TRUE(MethodAllowed(ApiRoute::kTyping, "OPTIONS"));
  EXPECT_FALSE(MethodAllowed(ApiRoute::kTyping, "GET"));
  EXPECT_EQ(AllowedMethods(ApiRoute::kTyping), "POST, OPTIONS");
  EXPECT_FALSE(SiteKeyMayComeFromQuery(ApiRoute::kTyping));
}

TEST(ApiRoutes, Read) {
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/read"), ApiRoute::kRead);
  EXPECT_EQ(ClassifyApiRoute("/api/v1/external/read/"), ApiRoute::kUnknown);
  EXPECT_TRUE(MethodAllowed(ApiRoute::kRead, "POST"));
  EXPECT_FALSE(MethodAllowed(ApiRoute::kRead, "GET"));
  EXPECT_EQ(AllowedMethods(ApiRoute::kRead), "POST, OPTIONS");
  EXPECT_FALSE(SiteKeyMayComeFromQuery(ApiRoute::kRead));
  EXPECT_TRUE(RouteActsForGuest(ApiRoute::kRead));
}

TEST(ApiRoutes, GuestRoutes) {
  for (ApiRoute route : {ApiRoute::kMessages, ApiRoute::kReaction, ApiRoute::kEvents,
                         ApiRoute::kEventTicket, ApiRoute::kTyping}) {
    EXPECT_TRUE(RouteActsForGuest(route));
  }
  for (ApiRoute route : {ApiRoute::kConfig, ApiRoute::kGuests, ApiRoute::kUnknown}) {
    EXPECT_FALSE(RouteActsForGuest(route));
  }
}

TEST(ApiRoutes, JsonContentType) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType("application/jsonp"));
  EXPECT_FALSE(IsJsonContentType(""));
}

TEST(ApiRoutes, LimiterAddress) {
  EXPECT_EQ(LimiterAddress("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(LimiterAddress("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(LimiterAddress("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(LimiterAddress("::ffff:198.51.100.4"), "198.51.100.4");
  EXPECT_EQ(LimiterAddress("::1"), "::/64");
  EXPECT_EQ(LimiterAddress("unix:"), "unix:");
  EXPECT_EQ(LimiterAddress(""), "");
}

}  // namespace
}  // namespace edgechat::shared
