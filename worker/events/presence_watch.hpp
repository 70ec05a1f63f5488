// Every worker reads every agent's presence from the store (Redis) each `poll` and hands what
// visitors should see (online / away) to its hub, which tells the guest streams when it changes.
// Reading rather than subscribing is what makes expiry work: a key that times out in Redis
// announces nothing. Poke() reads at once (after a change made through this worker). While the
// store does not answer, the last state stays.
//
// Office hours: each poll also evaluates every site's hours at the clock's instant (in memory),
// so a boundary shows within a poll; the hours are re-read from MySQL every `hours_reload`, and at
// once after Poke() (a change through this worker). A site outside its hours shows
// `outside_hours` with its away text whatever the agents' state (hub.SetOutsideHours).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/clock.hpp"
#include "events/hub.hpp"
#include "service/office_hours.hpp"
#include "service/presence.hpp"
#include "service/reply_time.hpp"
#include "store/office_hours_repo.hpp"

namespace edgechat::worker {

class PresenceWatch {
 public:
  // `hours`: where sites' office hours are read (null: no office hours).
  PresenceWatch(PresenceStore& store, EventHub& hub, WallClock clock, std::chrono::seconds idle,
                std::chrono::milliseconds poll, OfficeHoursRepo* hours = nullptr,
                ZoneLoader zones = {},
                std::chrono::milliseconds hours_reload = std::chrono::seconds(5));
  ~PresenceWatch() { Stop(); }
  PresenceWatch(const PresenceWatch&) = delete;
  PresenceWatch& operator=(const PresenceWatch&) = delete;

  // Expected reply times (before Start): every site's is re-read each replies->options().ttl
  // (one query for all sites) and handed to the hub (EventHub::SetReplyTimes). Null: none.
  void SetReplyTimes(ReplyTimeService* replies) { replies_ = replies; }

  void Start();
  void Stop();
  void Poke();
  // One read and hand-over (the thread's step; tests call it directly). False when the store
  // did not answer.
  bool RunOnce();

 private:
  void Loop();
  void EvaluateHours(std::int64_t now_ms);
  void RefreshReplyTimes(std::int64_t now_ms);
  struct SiteHours {
    std::uint64_t site_id;
    OfficeHours hours;
    TimeZone zone;
  };
  PresenceStore& store_;
  EventHub& hub_;
  WallClock clock_;
  std::chrono::seconds idle_;
  std::chrono::milliseconds poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;
  bool failing_ = false;
  OfficeHoursRepo* hours_repo_;
  ZoneLoader zones_;
  std::chrono::milliseconds hours_reload_;
  std::vector<SiteHours> hours_;     // the watch thread's
  std::int64_t hours_read_ms_ = -1;  // when last read (-1: never)
  bool hours_failing_ = false;
  bool reload_hours_ = true;  // under mu_
  ReplyTimeService* replies_ = nullptr;
  std::int64_t replies_read_ms_ = -1;  // when last read (-1: never)
  std::thread thread_;
};

}  // namespace edgechat::worker
