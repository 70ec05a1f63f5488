// Work handed to the blocking pool with a deadline. A request whose job has not started within
// `deadline` of being queued (every pool thread stuck behind a slow or locked database) never
// starts: its connection answers 503 busy instead of waiting minutes for a thread. A job that has
// started always runs to its end, so nothing a client is told failed was done, and nothing done
// goes unanswered. The clock is injected so tests need not sleep.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "common/clock.hpp"

namespace edgechat::worker {

class QueuedJob {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit QueuedJob(TimePoint deadline_at) : deadline_at_(deadline_at) {}

  // When the waiter gives up unless the job has started.
  TimePoint deadline_at() const { return deadline_at_; }
  // The waiter's side, at or after deadline_at(): true if the job had not started (it never will:
  // answer busy); false if it is running or done (wait for its result).
  bool Expire();
  // The pool's side, when a thread takes the job at `now`: true to run it. False when the waiter
  // gave up, or when the deadline passed before the waiter's timer fired (it will find the job
  // expired).
  bool Start(TimePoint now);

 private:
  enum State : int { kQueued, kStarted, kExpired };
  const TimePoint deadline_at_;
  std::atomic<int> state_{kQueued};
};

class DeadlineQueue {
 public:
  // Runs a function later on a pool thread (boost::asio::post to the pool, in the worker).
  using Post = std::function<void(std::function<void()>)>;

  DeadlineQueue(Post post, std::chrono::milliseconds deadline, Clock clock = SteadyClock());

  // Queues `job`; it runs on a pool thread unless its ticket expires first.
  std::shared_ptr<QueuedJob> Submit(std::function<void()> job);

  std::chrono::milliseconds deadline() const { return deadline_; }
  QueuedJob::TimePoint Now() const { return clock_(); }
  // Jobs that never ran because their deadline passed.
  unsigned long long expired() const { return expired_.load(); }

 private:
  Post post_;
  std::chrono::milliseconds deadline_;
  Clock clock_;
  std::atomic<unsigned long long> expired_{0};
};

}  // namespace edgechat::worker
