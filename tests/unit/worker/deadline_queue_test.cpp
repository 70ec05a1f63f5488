// The blocking pool's deadline (worker/http/deadline_queue.hpp), with a hand-driven pool and clock:
// the test decides when a pool thread takes a job and what time it is.
#include "http/deadline_queue.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace edgechat::worker {
namespace {

using namespace std::chrono_literals;

class DeadlineQueueTest : public ::testing::Test {
 protected:
  // A pool thread takes the oldest posted job now.
  void RunNext() {
    ASSERT_FALSE(posted_.empty());
    auto job = std::move(posted_.front());
    posted_.pop_front();
    job();
  }

  QueuedJob::TimePoint now_{};  // the injected clock
  std::deque<std::function<void()>> posted_;
  std::vector<std::string> ran_;
  DeadlineQueue queue_{[this](std::function<void()> job) { posted_.push_back(std::move(job)); },
                       500ms, [this] { return now_; }};
};

TEST_F(DeadlineQueueTest, JobTakenWithinTheDeadlineRunsAndCannotBeExpired) {
  auto job = queue_.Submit([this] { ran_.push_back("a"); });
  EXPECT_EQ(job->deadline_at(), now_ + 500ms);
  now_ += 499ms;
  RunNext();
  EXPECT_EQ(ran_, std::vector<std::string>{"a"});
  now_ += 10s;
  EXPECT_FALSE(job->Expire()) << "a started job is waited for, never answered busy";
  EXPECT_EQ(queue_.expired(), 0u);
}

TEST_F(DeadlineQueueTest, JobStillQueuedAtTheDeadlineExpiresAndNeverRuns) {
  auto first = queue_.Submit([this] { ran_.push_back("first"); });
  auto second = queue_.Submit([this] { ran_.push_back("second"); });
  now_ += 500ms;  // the waiters' timers fire: nothing was taken yet
  EXPECT_TRUE(first->Expire());
  EXPECT_TRUE(second->Expire());
  EXPECT_TRUE(first->Expire()) << "asking again gives the same answer";
  // The stuck threads free up: the expired jobs are skipped, a new one runs.
  auto third = queue_.Submit([this] { ran_.push_back("third"); });
  RunNext();
  RunNext();
  RunNext();
  EXPECT_EQ(ran_, std::vector<std::string>{"third"});
  EXPECT_FALSE(third->Expire());
  EXPECT_EQ(queue_.expired(), 2u);
}

TEST_F(DeadlineQueueTest, JobTakenLateIsSkippedEvenBeforeItsWaiterNotices) {
  auto job = queue_.Submit([this] { ran_.push_back("late"); });
  now_ += 501ms;  // a thread takes it after the deadline, before the waiter's timer ran
  RunNext();
  EXPECT_TRUE(ran_.empty());
  EXPECT_TRUE(job->Expire()) << "the waiter then answers busy: the job did not run";
  EXPECT_EQ(queue_.expired(), 1u);
}

TEST_F(DeadlineQueueTest, EachJobHasItsOwnDeadlineFromWhenItWasQueued) {
  auto early = queue_.Submit([this] { ran_.push_back("early"); });
  now_ += 300ms;
  auto later = queue_.Submit([this] { ran_.push_back("later"); });
  now_ += 300ms;  // 600 ms after the first, 300 ms after the second
  EXPECT_TRUE(early->Expire());
  RunNext();
  RunNext();
  EXPECT_EQ(ran_, std::vector<std::string>{"later"});
  EXPECT_EQ(later->deadline_at(), early->deadline_at() + 300ms);
}

}  // namespace
}  // namespace edgechat::worker
