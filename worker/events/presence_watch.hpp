// Every worker reads every agent's presence from the store (Redis) each `poll` and hands what
// visitors should see (online / away) to its hub, which tells the guest streams when it changes.
// Reading rather than subscribing is what makes expiry work: a key that times out in Redis
// announces nothing. Poke() reads at once (after a change made through this worker). While the
// store does not answer, the last state stays.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/clock.hpp"
#include "events/hub.hpp"
#include "service/presence.hpp"

namespace edgechat::worker {

class PresenceWatch {
 public:
  PresenceWatch(PresenceStore& store, EventHub& hub, WallClock clock, std::chrono::seconds idle,
                std::chrono::milliseconds poll);
  ~PresenceWatch() { Stop(); }
  PresenceWatch(const PresenceWatch&) = delete;
  PresenceWatch& operator=(const PresenceWatch&) = delete;

  void Start();
  void Stop();
  void Poke();
  // One read and hand-over (the thread's step; tests call it directly). False when the store
  // did not answer.
  bool RunOnce();

 private:
  void Loop();
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
  std::thread thread_;
};

}  // namespace edgechat::worker
