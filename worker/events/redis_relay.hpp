// Event fan-out between workers through Redis pub/sub (channel edgechat:events). Two threads,
// off the event loop: one publishes queued notices, one subscribes and wakes local streams.
// When the subscription comes back after an outage, every local stream is checked against MySQL
// (EventHub::ResyncAll, spread over a jittered window), so nothing published meanwhile is lost.
// A notice from Redis is not trusted: it is checked (events/remote_notice.hpp) and only makes its
// guest's streams read MySQL. Each notice carries its worker's id: a worker has already delivered
// its own events to its streams (HubPublisher), so when Redis hands one back it is skipped.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "config/config.hpp"
#include "events/hub.hpp"
#include "store/event_publisher.hpp"

namespace edgechat::worker {

inline constexpr const char* kEventsChannel = "edgechat:events";

class RedisRelay : public EventPublisher, public TypingPublisher {
 public:
  // `sender`: this worker's id in its notices (NewWorkerId), unique among the workers.
  // `local_typing`: where other workers' typing notices go (this worker's streams); none if null.
  RedisRelay(RedisSettings settings, EventHub& hub, std::string sender,
             std::size_t max_queue = 10000, TypingPublisher* local_typing = nullptr);
  ~RedisRelay() override;

  void Start();
  void Stop();
  void Publish(const EventNotice& notice) override;         // queues; never blocks on Redis
  void PublishTyping(const TypingNotice& notice) override;  // the same, for typing
  bool subscribed() const { return subscribed_; }
  // Notices from Redis dropped as forged or malformed (DecodeRemoteNotice).
  unsigned long long rejected_notices() const { return rejected_notices_.load(); }
  // Notices from Redis that this worker sent, skipped.
  unsigned long long own_notices() const { return own_notices_.load(); }

 private:
  void PublishLoop();
  void SubscribeLoop();
  void Enqueue(std::string message);
  // A message from the channel: checked, then only wakes the streams of its guest (or, for a
  // typing notice, hands it to local_typing_).
  void Relay(const std::string& text);

  RedisSettings settings_;
  EventHub& hub_;
  std::string sender_;
  std::size_t max_queue_;
  TypingPublisher* local_typing_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stop_ = false;
  std::atomic<bool> subscribed_{false};
  std::atomic<unsigned long long> rejected_notices_{0};
  std::atomic<unsigned long long> own_notices_{0};
  std::chrono::steady_clock::time_point last_reject_log_{};  // subscriber thread only
  std::thread publisher_;
  std::thread subscriber_;
};

// Publishes notices straight to Redis (the CLI, after an agent reply or a status change).
class DirectRedisPublisher : public EventPublisher {
 public:
  explicit DirectRedisPublisher(RedisSettings settings) : settings_(std::move(settings)) {}
  void Publish(const EventNotice& notice) override;

 private:
  RedisSettings settings_;
};

}  // namespace edgechat::worker
