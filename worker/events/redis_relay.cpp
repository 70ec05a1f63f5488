#include "events/redis_relay.hpp"

#include <algorithm>

#include "events/remote_notice.hpp"
#include "log/log.hpp"
#include "registry/redis_client.hpp"

namespace edgechat::worker {

RedisRelay::RedisRelay(RedisSettings settings, EventHub& hub, std::string sender,
                       std::size_t max_queue, TypingPublisher* local_typing)
    : settings_(std::move(settings)),
      hub_(hub),
      sender_(std::move(sender)),
      max_queue_(max_queue),
      local_typing_(local_typing) {}

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
  Enqueue(EncodeNotice(notice, sender_));
}

void RedisRelay::PublishTyping(const TypingNotice& notice) {
  Enqueue(EncodeTypingNotice(notice, sender_));
}

void RedisRelay::Enqueue(std::string message) {
  std::lock_guard lock(mu_);
  // With Redis down the queue would grow forever; the other workers resync from MySQL when
  // their subscription returns, so dropping the oldest notices loses nothing (typing is
  // ephemeral anyway).
  if (queue_.size() >= max_queue_) queue_.pop_front();
  queue_.push_back(std::move(message));
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
      Relay(r.elements[2].text);
    }
    subscribed_ = false;
  }
}

void RedisRelay::Relay(const std::string& text) {
  auto notice = DecodeRemoteNotice(text);
  if (!notice) {
    // Forged or malformed: never reaches a stream. Logged at most every 10 s (a flood must not
    // flood the log too), with the count since the last line.
    unsigned long long total = rejected_notices_.fetch_add(1) + 1;
    auto now = std::chrono::steady_clock::now();
    if (total == 1 || now - last_reject_log_ >= std::chrono::seconds(10)) {
      LogWarn("events", "dropped a notice from Redis (" + notice.error().message + "); " +
                            std::to_string(total) + " dropped so far");
      last_reject_log_ = now;
    }
    return;
  }
  if (!sender_.empty() && notice->sender == sender_) {
    ++own_notices_;  // HubPublisher delivered it to this worker's streams already
    return;
  }
  if (notice->typing) {
    if (local_typing_ != nullptr) local_typing_->PublishTyping(*notice->typing);
    return;
  }
  if (notice->guest_id != 0) hub_.Notify(notice->guest_id, notice->id);
}

void DirectRedisPublisher::Publish(const EventNotice& notice) {
  RedisClient redis(settings_);
  auto reply = redis.Command({"PUBLISH", kEventsChannel, EncodeNotice(notice)});
  if (!reply) LogWarn("events", "cannot publish: " + reply.error().message);
}

}  // namespace edgechat::worker
