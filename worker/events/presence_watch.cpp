#include "events/presence_watch.hpp"

#include <map>
#include <utility>

#include "log/log.hpp"

namespace edgechat::worker {

PresenceWatch::PresenceWatch(PresenceStore& store, EventHub& hub, WallClock clock,
                             std::chrono::seconds idle, std::chrono::milliseconds poll,
                             OfficeHoursRepo* hours, ZoneLoader zones,
                             std::chrono::milliseconds hours_reload)
    : store_(store),
      hub_(hub),
      clock_(std::move(clock)),
      idle_(idle),
      poll_(poll),
      hours_repo_(hours),
      zones_(std::move(zones)),
      hours_reload_(hours_reload) {}

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
    reload_hours_ = true;
  }
  cv_.notify_all();
}

void PresenceWatch::EvaluateHours(std::int64_t now_ms) {
  if (hours_repo_ == nullptr) return;
  bool reload = false;
  {
    std::lock_guard lock(mu_);
    reload = std::exchange(reload_hours_, false);
  }
  if (reload || hours_read_ms_ < 0 || now_ms - hours_read_ms_ >= hours_reload_.count()) {
    auto rows = hours_repo_->All();
    if (!rows) {
      if (!hours_failing_) LogWarn("presence", "cannot read office hours: " + rows.error().message);
      hours_failing_ = true;  // the last hours read stay in force
    } else {
      hours_failing_ = false;
      hours_read_ms_ = now_ms;
      std::vector<SiteHours> next;
      for (const auto& row : *rows) {
        auto hours = DecodeOfficeHours(row);
        auto zone = hours ? zones_(hours->time_zone) : Result<TimeZone>(hours.error());
        if (!hours || !zone) {
          LogWarn("presence", "office hours of site " + std::to_string(row.site_id) +
                                  " ignored: " + (hours ? zone.error() : hours.error()).message);
          continue;
        }
        next.push_back(SiteHours{row.site_id, std::move(*hours), std::move(*zone)});
      }
      hours_ = std::move(next);
    }
  }
  std::map<std::uint64_t, std::string> closed;
  const std::int64_t now_s = now_ms / 1000;
  for (const auto& site : hours_) {
    if (!IsOpenAt(site.hours, site.zone, now_s)) closed.emplace(site.site_id, site.hours.away_text);
  }
  hub_.SetOutsideHours(std::move(closed));
}

void PresenceWatch::RefreshReplyTimes(std::int64_t now_ms) {
  if (replies_ == nullptr) return;
  const std::int64_t ttl_ms = replies_->options().ttl.count() * 1000;
  if (replies_read_ms_ >= 0 && now_ms - replies_read_ms_ < ttl_ms) return;
  replies_read_ms_ = now_ms;  // an outage waits a ttl too: the last values stay meanwhile
  auto all = replies_->AllSites();
  if (!all) {
    LogWarn("presence", "cannot read reply times: " + all.error().message);
    return;
  }
  std::map<std::uint64_t, std::int64_t> known;
  for (const auto& [site, reply] : *all) {
    if (reply.seconds) known.emplace(site, *reply.seconds);
  }
  hub_.SetReplyTimes(std::move(known));
}

bool PresenceWatch::RunOnce() {
  const std::int64_t start_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
  EvaluateHours(start_ms);
  RefreshReplyTimes(start_ms);
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
