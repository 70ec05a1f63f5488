// Counts admin login attempts per key in a fixed window that starts at a key's first attempt
// (one process; every worker throttles on its own, which bounds guessing to workers x limit per
// window). An attempt is counted before the password is checked, so a burst of parallel attempts
// cannot all pass the check while none has been recorded yet.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>

#include "common/clock.hpp"

namespace edgechat::worker {

struct ThrottleKey {
  std::string key;
  unsigned limit = 0;  // attempts allowed per window
};

class LoginThrottle {
 public:
  using Clock = worker::Clock;
  // Above `max_keys` live keys the expired ones are dropped, then all of them (bounded memory
  // under a flood of made-up names).
  explicit LoginThrottle(std::chrono::seconds window, Clock clock = SteadyClock(),
                         std::size_t max_keys = 100000)
      : window_(window), clock_(std::move(clock)), max_keys_(max_keys) {}

  // All or nothing: when every key is under its limit, counts one attempt against each and
  // returns 0; else counts nothing and returns the seconds until the fullest key frees up (>= 1).
  unsigned TryAttempt(std::initializer_list<ThrottleKey> keys);
  // Forgets the key's attempts (its admin logged in).
  void Clear(const std::string& key);
  // Gives one attempt back (a login that succeeded was no guess from that address).
  void Refund(const std::string& key);

 private:
  struct Entry {
    unsigned attempts = 0;
    std::chrono::steady_clock::time_point first;
  };
  void DropExpired(std::chrono::steady_clock::time_point now);

  std::chrono::seconds window_;
  Clock clock_;
  std::size_t max_keys_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace edgechat::worker
