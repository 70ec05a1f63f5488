// DecodeRemoteNotice: what a notice from Redis must look like before it may wake a stream.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "events/remote_notice.hpp"
#include "store/event_notice.hpp"

namespace edgechat::worker {
namespace {

bool Accepted(const std::string& text) {
  return DecodeRemoteNotice(text).ok();
}

// A notice as a worker publishes it, with one field replaced by `field: value` (raw JSON).
std::string With(const std::string& field, const std::string& value) {
  nlohmann::json j = nlohmann::json::parse(
      EncodeNotice(EventNotice{42, 7, 3, "message", R"({"id":1,"text":"سلام"})", 40}));
  j[field] = nlohmann::json::parse(value);
  return j.dump();
}

std::string Without(const std::string& field) {
  nlohmann::json j = nlohmann::json::parse(
      EncodeNotice(EventNotice{42, 7, 3, "message", R"({"id":1,"text":"hi"})", 40}));
  j.erase(field);
  return j.dump();
}

TEST(RemoteNotice, WhatAWorkerPublishesIsAccepted) {
  for (const char* type : {"message", "reaction", "status", "erased", "read"}) {
    auto decoded = DecodeRemoteNotice(EncodeNotice(EventNotice{42, 7, 3, type, "{}", 40}));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->id, 42u);
    EXPECT_EQ(decoded->conversation_id, 7u);
    EXPECT_EQ(decoded->guest_id, 3u);
  }
  EXPECT_TRUE(Accepted(Without("prevId"))) << "prevId is optional (0)";
  EXPECT_TRUE(Accepted(With("guestId", "0"))) << "a conversation without a guest";
}

TEST(RemoteNotice, NotJsonOrNotAnObjectIsRefused) {
  EXPECT_FALSE(Accepted("nope"));
  EXPECT_FALSE(Accepted(""));
  EXPECT_FALSE(Accepted("[1,2,3]"));
  EXPECT_FALSE(Accepted("42"));
  EXPECT_FALSE(Accepted(R"({"id":1)"));
  EXPECT_EQ(DecodeRemoteNotice("nope").error().code, "invalid_notice");
}

TEST(RemoteNotice, IdsMustBeWholeNumbersInRange) {
  for (const char* field : {"id", "conversationId"}) {
    EXPECT_FALSE(Accepted(With(field, "0"))) << field;
    EXPECT_FALSE(Accepted(With(field, "-1"))) << field;
    EXPECT_FALSE(Accepted(With(field, "1.5"))) << field;
    EXPECT_FALSE(Accepted(With(field, "\"7\""))) << field;
    EXPECT_FALSE(Accepted(With(field, "null"))) << field;
    EXPECT_FALSE(Accepted(With(field, "true"))) << field;
    EXPECT_FALSE(Accepted(With(field, "9223372036854775808"))) << field << ": above BIGINT";
    EXPECT_FALSE(Accepted(With(field, "1e3"))) << field;
    EXPECT_FALSE(Accepted(Without(field))) << field;
  }
  EXPECT_TRUE(Accepted(With("id", "9223372036854775807")));
  EXPECT_FALSE(Accepted(With("guestId", "-3")));
  EXPECT_FALSE(Accepted(With("guestId", "\"3\"")));
  EXPECT_FALSE(Accepted(Without("guestId")));
}

TEST(RemoteNotice, PrevIdMustComeBeforeId) {
  EXPECT_FALSE(Accepted(With("prevId", "42"))) << "equal to id";
  EXPECT_FALSE(Accepted(With("prevId", "43")));
  EXPECT_FALSE(Accepted(With("prevId", "-1")));
  EXPECT_TRUE(Accepted(With("prevId", "0")));
  EXPECT_TRUE(Accepted(With("prevId", "41")));
}

TEST(RemoteNotice, TypeMustBeAnEventKind) {
  EXPECT_FALSE(Accepted(With("type", "\"reset\"")));
  EXPECT_FALSE(Accepted(With("type", "\"Message\"")));
  EXPECT_FALSE(Accepted(With("type", "\"message\\nevent: x\""))) << "no SSE field smuggling";
  EXPECT_FALSE(Accepted(With("type", "1")));
  EXPECT_FALSE(Accepted(Without("type")));
}

TEST(RemoteNotice, DataMustBeTheTextOfAJsonObject) {
  EXPECT_FALSE(Accepted(With("data", R"({"text":"an object, not its text"})")));
  EXPECT_FALSE(Accepted(With("data", "\"not json\"")));
  EXPECT_FALSE(Accepted(With("data", "\"[1]\"")));
  EXPECT_FALSE(Accepted(With("data", "\"{}\\n\\ndata: injected\"")));
  EXPECT_FALSE(Accepted(Without("data")));
}

TEST(RemoteNotice, UnknownKeysAndOversizedNoticesAreRefused) {
  EXPECT_FALSE(Accepted(With("sse", "\"id: 1\\n\\n\"")));
  std::string big = With("data", nlohmann::json(std::string(kMaxRemoteNoticeBytes, 'a')).dump());
  EXPECT_FALSE(Accepted(big));
  auto refused = DecodeRemoteNotice(big);
  EXPECT_NE(refused.error().message.find("larger"), std::string::npos);
}

TEST(RemoteNotice, TheSenderComesBack) {
  EventNotice notice{42, 7, 3, "message", "{}", 40};
  auto tagged = DecodeRemoteNotice(EncodeNotice(notice, "w_abcDEF012_-"));
  ASSERT_TRUE(tagged.ok()) << tagged.error().message;
  EXPECT_EQ(tagged->sender, "w_abcDEF012_-");
  auto untagged = DecodeRemoteNotice(EncodeNotice(notice));
  ASSERT_TRUE(untagged.ok()) << untagged.error().message;
  EXPECT_EQ(untagged->sender, "") << "the CLI's notices carry no sender";
  EXPECT_FALSE(nlohmann::json::parse(EncodeNotice(notice)).contains("sender"));
}

TEST(RemoteNotice, TheSenderMustBeAnId) {
  EXPECT_TRUE(Accepted(With("sender", "\"w_1\"")));
  EXPECT_TRUE(Accepted(With("sender", "\"" + std::string(kMaxSenderLength, 'a') + "\"")));
  for (const std::string& bad :
       {std::string("\"\""), std::string("\"" + std::string(kMaxSenderLength + 1, 'a') + "\""),
        std::string("\"w 1\""), std::string("\"w\\n1\""), std::string("\"w\u00e91\""),
        std::string("1"), std::string("null"), std::string("[\"w_1\"]"),
        std::string("{\"id\":\"w_1\"}")}) {
    EXPECT_FALSE(Accepted(With("sender", bad))) << bad;
  }
}

std::string Typing(const std::string& field, const std::string& value) {
  nlohmann::json j = nlohmann::json::parse(EncodeTypingNotice(
      TypingNotice{7, 3, TypingNotice::From::kAgent}, "w_0123456789abcdefABCDEF01"));
  if (value.empty()) {
    j.erase(field);
  } else {
    j[field] = nlohmann::json::parse(value);
  }
  return j.dump();
}

TEST(RemoteNotice, TypingAsAWorkerPublishesItIsAccepted) {
  auto agent = DecodeRemoteNotice(EncodeTypingNotice(TypingNotice{7, 3, TypingNotice::From::kAgent},
                                                     "w_0123456789abcdefABCDEF01"));
  ASSERT_TRUE(agent.ok()) << agent.error().message;
  ASSERT_TRUE(agent->typing.has_value());
  EXPECT_EQ(agent->typing->conversation_id, 7u);
  EXPECT_EQ(agent->typing->guest_id, 3u);
  EXPECT_EQ(agent->typing->from, TypingNotice::From::kAgent);
  EXPECT_EQ(agent->sender, "w_0123456789abcdefABCDEF01");
  auto guest =
      DecodeRemoteNotice(EncodeTypingNotice(TypingNotice{7, 3, TypingNotice::From::kGuest}));
  ASSERT_TRUE(guest.ok()) << guest.error().message;
  EXPECT_EQ(guest->typing->from, TypingNotice::From::kGuest);
  EXPECT_TRUE(guest->sender.empty());
  // An event notice is not typing.
  EXPECT_FALSE(DecodeRemoteNotice(EncodeNotice(EventNotice{42, 7, 3, "message", "{}", 40}))
                   ->typing.has_value());
}

TEST(RemoteNotice, TypingIsCheckedStrictly) {
  EXPECT_TRUE(Accepted(Typing("from", R"("agent")")));
  EXPECT_FALSE(Accepted(Typing("id", "5"))) << "typing has no event id";
  EXPECT_FALSE(Accepted(Typing("data", R"("{}")")));
  EXPECT_FALSE(Accepted(Typing("extra", "1")));
  EXPECT_FALSE(Accepted(Typing("conversationId", "0")));
  EXPECT_FALSE(Accepted(Typing("conversationId", "")));
  EXPECT_FALSE(Accepted(Typing("guestId", "0")));
  EXPECT_FALSE(Accepted(Typing("guestId", "-3")));
  EXPECT_FALSE(Accepted(Typing("guestId", R"("3")")));
  EXPECT_FALSE(Accepted(Typing("from", R"("robot")")));
  EXPECT_FALSE(Accepted(Typing("from", "")));
  // No text of any kind: a forged PUBLISH has nothing to show a visitor.
  EXPECT_FALSE(Accepted(Typing("name", R"("Sara")")));
  EXPECT_FALSE(Accepted(Typing("text", R"("hello")")));
  EXPECT_FALSE(Accepted(Typing("sender", R"("w bad")")));
  EXPECT_TRUE(Accepted(Typing("from", R"("guest")")));
}

}  // namespace
}  // namespace edgechat::worker
