#include "http/deadline_queue.hpp"

#include <utility>

namespace edgechat::worker {

bool QueuedJob::Expire() {
  int expected = kQueued;
  return state_.compare_exchange_strong(expected, kExpired) || expected == kExpired;
}

bool QueuedJob::Start(TimePoint now) {
  int expected = kQueued;
  if (now > deadline_at_) {
    state_.compare_exchange_strong(expected, kExpired);
    return false;
  }
  return state_.compare_exchange_strong(expected, kStarted);
}

DeadlineQueue::DeadlineQueue(Post post, std::chrono::milliseconds deadline, Clock clock)
    : post_(std::move(post)), deadline_(deadline), clock_(std::move(clock)) {}

std::shared_ptr<QueuedJob> DeadlineQueue::Submit(std::function<void()> job) {
  auto ticket = std::make_shared<QueuedJob>(clock_() + deadline_);
  post_([this, ticket, job = std::move(job)] {
    if (ticket->Start(clock_())) {
      job();
    } else {
      ++expired_;
    }
  });
  return ticket;
}

}  // namespace edgechat::worker
