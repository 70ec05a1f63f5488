#include "events/presence_watch.hpp"

#include "log/log.hpp"

namespace edgechat::worker {

PresenceWatch::PresenceWatch(PresenceStore& store, EventHub& hub, WallClock clock,
                             std::chrono::seconds idle, std::chrono::milliseconds poll)
    : store_(store), hub_(hub), clock_(std::move(clock)), idle_(idle), poll_(poll) {}

void PresenceWatch::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void PresenceWatch::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PresenceWatch::Poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

bool PresenceWatch::RunOnce() {
  auto records = store_.All();
  if (!records) {
    if (!failing_) LogWarn("presence", "cannot read presence: " + records.error().message);
    failing_ = true;
    return false;
  }
  if (failing_) LogInfo("presence", "reading presence again");
  failing_ = false;
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
  hub_.SetPresence(SiteAvailabilityName(AvailabilityOf(*records, now, idle_)));
  return true;
}

void PresenceWatch::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    poked_ = false;
    lock.unlock();
    RunOnce();
    lock.lock();
    cv_.wait_for(lock, poll_, [this] { return stop_ || poked_; });
  }
}

}  // namespace edgechat::worker
