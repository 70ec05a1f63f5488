// Prometheus text exposition of the worker's counters.
#pragma once

#include <string>

#include "http/server.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

std::string MetricsText(const ServerCounters& counters, const PoolStats& pool, bool redis_ok);

}  // namespace edgechat::worker
