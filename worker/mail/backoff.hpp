// Exponential backoff with jitter for deliveries that failed: the n-th retry waits about
// base * 2^(n-1), capped at `max`, with "equal jitter" (half fixed, half random) so senders that
// failed together do not retry together. Pure: the random draw is a parameter.
#pragma once

#include <chrono>

namespace edgechat::worker {

struct BackoffPolicy {
  std::chrono::milliseconds base{2000};
  std::chrono::milliseconds max{3600000};
};

// The wait before the next attempt after `failed_attempts` (>= 1) failures. `unit` is a random
// number in [0, 1): the result lies in [d/2, d) for d = min(max, base * 2^(failed_attempts-1)).
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, unsigned failed_attempts,
                                       double unit);

}  // namespace edgechat::worker
