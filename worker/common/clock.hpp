// The time seams, beside the random one (RandomFill in common/ids.hpp): code that decides by the
// passing of time takes a Clock, and code that writes a date takes a WallClock, so their tests
// move a fake clock instead of sleeping or reading the host's date.
#pragma once

#include <chrono>
#include <functional>

namespace edgechat::worker {

// Monotonic time (windows, timeouts); never wall-clock dates, which MySQL computes.
using Clock = std::function<std::chrono::steady_clock::time_point()>;

inline Clock SteadyClock() {
  return [] { return std::chrono::steady_clock::now(); };
}

// Wall-clock time, only for the dates the worker writes itself (a guest's expiry, a message's
// time to the microsecond); every other date MySQL computes.
using WallClock = std::function<std::chrono::system_clock::time_point()>;

inline WallClock SystemClock() {
  return [] { return std::chrono::system_clock::now(); };
}

}  // namespace edgechat::worker
