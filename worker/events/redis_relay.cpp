#include "events/redis_relay.hpp"

#include <algorithm>

#include "log/log.hpp"
#include "registry/redis_client.hpp"

namespace edgechat::worker {

RedisRelay::RedisRelay(RedisSettings settings, EventHub& hub, std::size_t max_queue)
    : settings_(std::move(settings)), hub_(hub), max_queue_(max_queue) {}

RedisRelay::~RedisRelay() {
  Stop();
}

void RedisRelay::Start() {
  publisher_ = std::thread([this] { PublishLoop(); });
  subscriber_ = std::thread([this] { SubscribeLoop(); });
}

void RedisRelay::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (publisher_.joinable()) publisher_.join();
  if (subscriber_.joinable()) subscriber_.join();
}

void RedisRelay::Publish(const EventNotice& notice) {
  std::lock_guard lock(mu_);
  // With Redis down the queue would grow forever; the other workers resync from MySQL when
  // their subscription returns, so dropping the oldest notices loses nothing.
  if (queue_.size() >= max_queue_) queue_.pop_front();
  queue_.push_back(EncodeNotice(notice));
  cv_.notify_one();
}

void RedisRelay::PublishLoop() {
  RedisClient redis(settings_);
  bool failing = false;
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    std::string message = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    auto reply = redis.Command({"PUBLISH", kEventsChannel, message});
    if (!reply && !failing) LogWarn("events", "cannot publish: " + reply.error().message);
    if (reply && failing) LogInfo("events", "publishing to Redis again");
    failing = !reply.ok();
    lock.lock();
    if (failing) {
      // Do not spin against a dead Redis: drop what is queued (the other workers resync when
      // they reconnect) and pause.
      queue_.clear();
      cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; });
    }
  }
}

void RedisRelay::SubscribeLoop() {
  std::chrono::milliseconds backoff(500);
  bool ever_subscribed = false;
  bool logged_down = false;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    RedisClient redis(settings_);
    auto subscribed = redis.Command({"SUBSCRIBE", kEventsChannel});
    if (!subscribed) {
      if (!logged_down) LogWarn("events", "cannot subscribe: " + subscribed.error().message);
      logged_down = true;
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, backoff, [this] { return stop_; });
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(500);
    subscribed_ = true;
    if (logged_down || ever_subscribed) {
      LogInfo("events", "subscribed to Redis again");
      hub_.ResyncAll();
    }
    logged_down = false;
    ever_subscribed = true;
    while (true) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      auto push = redis.ReadPush(250);
      if (!push) {
        if (push.error().code == "timeout") continue;
        LogWarn("events", "subscription lost: " + push.error().message);
        logged_down = true;
        break;
      }
      const RedisReply& r = *push;
      if (r.kind != RedisReply::Kind::kArray || r.elements.size() != 3 ||
          r.elements[0].text != "message") {
        continue;
      }
      auto notice = DecodeNotice(r.elements[2].text);
      if (notice) hub_.Deliver(*notice);
    }
    subscribed_ = false;
  }
}

void DirectRedisPublisher::Publish(const EventNotice& notice) {
  RedisClient redis(settings_);
  auto reply = redis.Command({"PUBLISH", kEventsChannel, EncodeNotice(notice)});
  if (!reply) LogWarn("events", "cannot publish: " + reply.error().message);
}

}  // namespace edgechat::worker
