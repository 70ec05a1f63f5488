// The time seam, beside the random one (RandomFill in common/ids.hpp): code that decides by the
// passing of time takes a Clock, so its tests move a fake clock instead of sleeping.
#pragma once

#include <chrono>
#include <functional>

namespace edgechat::worker {

// Monotonic time (windows, timeouts); never wall-clock dates, which MySQL computes.
using Clock = std::function<std::chrono::steady_clock::time_point()>;

inline Clock SteadyClock() {
  return [] { return std::chrono::steady_clock::now(); };
}

}  // namespace edgechat::worker
