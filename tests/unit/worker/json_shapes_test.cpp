#include <gtest/gtest.h>

#include "json/json_shapes.hpp"

namespace edgechat::worker {
namespace {

using nlohmann::json;

TEST(JsonShapes, SiteConfig) {
  Site site;
  site.title = "Chat with us";
  site.primary_color = "#2563eb";
  site.locked = true;
  site.locked_message = "Closed for today";
  json j = SiteConfigJson(site);
  EXPECT_EQ(j, json::parse(R"({"title":"Chat with us","primaryColor":"#2563eb","locked":true,
      "lockedMessage":"Closed for today","locale":null,"limits":{"maxMessageLength":2000}})"));
  site.locale = "fa";
  EXPECT_EQ(SiteConfigJson(site)["locale"], "fa");
}

TEST(JsonShapes, Message) {
  Message m;
  m.id = 7;
  m.conversation_id = 3;
  m.author = "agent";
  m.text = "سلام";
  m.created_at = "2026-01-02T03:04:05.678Z";
  json j = MessageJson(m);
  EXPECT_EQ(j, json::parse(R"({"id":7,"author":"agent","text":"سلام",
      "createdAt":"2026-01-02T03:04:05.678Z","clientId":null,"reaction":null})"));
  m.client_id = "c1";
  m.reaction = "like";
  EXPECT_EQ(MessageJson(m)["clientId"], "c1");
  EXPECT_EQ(MessageJson(m)["reaction"], "like");
}

TEST(JsonShapes, EmptyHistoryHasNullConversation) {
  EXPECT_EQ(
      HistoryJson(History{}),
      json::parse(
          R"({"conversationId":null,"status":null,"messages":[],"hasMore":false,"agentReadUpTo":0})"));
  History h;
  h.conversation_id = 9;
  h.status = "resolved";
  h.messages.push_back(Message{});
  h.has_more = true;
  json j = HistoryJson(h);
  EXPECT_EQ(j["hasMore"], true);
  EXPECT_EQ(j["conversationId"], 9);
  EXPECT_EQ(j["status"], "resolved");
  EXPECT_EQ(j["messages"].size(), 1u);
}

TEST(JsonShapes, NewGuest) {
  json j = NewGuestJson(NewGuest{"g_x", "tok", "2027-01-01T00:00:00.000Z"});
  EXPECT_EQ(
      j, json::parse(R"({"guestId":"g_x","token":"tok","expiresAt":"2027-01-01T00:00:00.000Z"})"));
}

}  // namespace
}  // namespace edgechat::worker
