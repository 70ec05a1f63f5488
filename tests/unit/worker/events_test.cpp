#include <gtest/gtest.h>

#include "store/events.hpp"

namespace edgechat::worker {
namespace {

TEST(Events, NoticeRoundTrip) {
  EventNotice n{42, 7, 3, "message", R"({"id":1,"text":"سلام"})", 40};
  auto decoded = DecodeNotice(EncodeNotice(n));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->id, 42u);
  EXPECT_EQ(decoded->conversation_id, 7u);
  EXPECT_EQ(decoded->guest_id, 3u);
  EXPECT_EQ(decoded->type, "message");
  EXPECT_EQ(decoded->data, n.data);
  EXPECT_EQ(decoded->prev_id, 40u);
}

TEST(Events, NoticeWithoutPrevIdDecodesAsZero) {
  auto decoded =
      DecodeNotice(R"({"id":1,"conversationId":2,"guestId":3,"type":"status","data":"{}"})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->prev_id, 0u);
}

TEST(Events, BadNoticesAreErrors) {
  EXPECT_FALSE(DecodeNotice("nope").ok());
  EXPECT_FALSE(DecodeNotice(R"({"id":"x"})").ok());
}

TEST(Events, SseFormat) {
  EXPECT_EQ(FormatSse(EventNotice{5, 1, 1, "reaction", R"({"messageId":4})"}),
            "id: 5\nevent: reaction\ndata: {\"messageId\":4}\n\n");
}

}  // namespace
}  // namespace edgechat::worker
