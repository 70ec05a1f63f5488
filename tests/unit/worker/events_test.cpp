#include <gtest/gtest.h>

#include "store/event_notice.hpp"

namespace edgechat::worker {
namespace {

TEST(Events, SseFormat) {
  EXPECT_EQ(FormatSse(EventNotice{5, 1, 1, "reaction", R"({"messageId":4})"}),
            "id: 5\nevent: reaction\ndata: {\"messageId\":4}\n\n");
}

}  // namespace
}  // namespace edgechat::worker
