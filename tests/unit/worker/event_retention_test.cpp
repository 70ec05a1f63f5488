#include "store/event_retention.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/pool.hpp"

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

// A pool whose database cannot be reached: connecting fails at once (no such socket file).
DbSettings UnreachableDb() {
  DbSettings db;
  db.socket = "/nonexistent/edgechat-retention-test.sock";
  db.connect_timeout_s = 1;
  return db;
}

TEST(EventPruner, RunOnceWithoutDatabaseIsAnError) {
  ConnectionPool pool(UnreachableDb());
  EventPruner pruner(pool, 30, std::chrono::hours(1));
  auto report = pruner.RunOnce();
  ASSERT_FALSE(report.ok());
  EXPECT_FALSE(report.error().message.empty());
}

TEST(EventPruner, StopEndsThePeriodWaitPromptly) {
  ConnectionPool pool(UnreachableDb());
  EventPruner pruner(pool, 30, std::chrono::hours(1));
  pruner.Start();
  // The first run fails (logged) and the thread then waits for an hour unless stopped.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto started = std::chrono::steady_clock::now();
  pruner.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  pruner.Stop();  // idempotent
}

TEST(EventPruner, StopWithoutStartAndDestructionAreSafe) {
  ConnectionPool pool(UnreachableDb());
  { EventPruner never_started(pool, 30, std::chrono::hours(1)); }
  EventPruner stopped(pool, 30, std::chrono::hours(1));
  stopped.Stop();
  stopped.Start();  // after Stop: does not start a thread
}

}  // namespace
}  // namespace edgechat::worker
