// Prometheus text exposition of the worker's counters.
#pragma once

#include <string>

#include "http/server.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

// `rejected_notices`: notices from Redis dropped as forged or malformed (RedisRelay);
// `own_notices`: this worker's own notices that Redis handed back, skipped.
std::string MetricsText(const ServerCounters& counters, const PoolStats& pool, bool redis_ok,
                        unsigned long long rejected_notices, unsigned long long own_notices);

}  // namespace edgechat::worker
