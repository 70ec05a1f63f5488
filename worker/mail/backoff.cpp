#include "mail/backoff.hpp"

#include <algorithm>

namespace edgechat::worker {

std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, unsigned failed_attempts,
                                       double unit) {
  const long long base = std::max<long long>(1, policy.base.count());
  const long long cap = std::max<long long>(base, policy.max.count());
  long long delay = base;
  for (unsigned i = 1; i < failed_attempts && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  unit = std::clamp(unit, 0.0, 0.999999);
  const long long half = delay / 2;
  return std::chrono::milliseconds(half + static_cast<long long>(unit * (delay - half)));
}

}  // namespace edgechat::worker
