#include "store/event_retention.hpp"

#include <gtest/gtest.h>

namespace edgechat::worker {
namespace {

// expired + superseded: deletable; expired only: a conversation's newest, kept.
ScannedEvent Old(std::uint64_t id, bool superseded = true) {
  return ScannedEvent{id, true, superseded};
}
ScannedEvent Recent(std::uint64_t id) {
  return ScannedEvent{id, false, true};
}

TEST(EventRetention, FullPageOfOldEventsDeletesAllButNewestAndGoesOn) {
  auto plan = PlanPruneBatch(0, {Old(1), Old(2, false), Old(5), Old(9)}, 4);
  EXPECT_EQ(plan.doomed, (std::vector<std::uint64_t>{1, 5, 9}));
  EXPECT_EQ(plan.scanned_through, 9u);
  EXPECT_FALSE(plan.done);
}

TEST(EventRetention, FirstRecentEventEndsTheRun) {
  auto plan = PlanPruneBatch(10, {Old(11), Recent(12), Old(13)}, 3);
  EXPECT_EQ(plan.doomed, (std::vector<std::uint64_t>{11}));
  EXPECT_TRUE(plan.done);
}

TEST(EventRetention, ShortPageIsTheEndOfTheTable) {
  auto plan = PlanPruneBatch(20, {Old(21), Old(22)}, 1000);
  EXPECT_EQ(plan.doomed, (std::vector<std::uint64_t>{21, 22}));
  EXPECT_EQ(plan.scanned_through, 22u);
  EXPECT_TRUE(plan.done);
}

TEST(EventRetention, EmptyPageIsDoneAndKeepsTheCursor) {
  auto plan = PlanPruneBatch(42, {}, 10);
  EXPECT_TRUE(plan.doomed.empty());
  EXPECT_EQ(plan.scanned_through, 42u);
  EXPECT_TRUE(plan.done);
}

TEST(EventRetention, PageOfKeptNewestEventsDeletesNothingButMovesOn) {
  // Dormant conversations: each old event is its conversation's newest.
  auto plan = PlanPruneBatch(0, {Old(3, false), Old(4, false)}, 2);
  EXPECT_TRUE(plan.doomed.empty());
  EXPECT_EQ(plan.scanned_through, 4u);
  EXPECT_FALSE(plan.done);
}

TEST(EventRetention, RecentFirstRowDeletesNothing) {
  auto plan = PlanPruneBatch(0, {Recent(1), Old(2)}, 2);
  EXPECT_TRUE(plan.doomed.empty());
  EXPECT_TRUE(plan.done);
}

}  // namespace
}  // namespace edgechat::worker
