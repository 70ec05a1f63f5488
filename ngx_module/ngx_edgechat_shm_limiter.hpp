// The per-host fallback rate limiter: the same GCRA as the Redis script, kept in an nginx
// shared-memory zone (shared by the host's worker processes) while Redis is down or slow.
#pragma once

#include <string_view>
#include <vector>

#include "core/gcra.hpp"
#include "ngx_edgechat_glue.hpp"

namespace edgechat::ngx {

// Adds the zone at configuration time. Returns nullptr on error (already logged).
ngx_shm_zone_t* AddLimiterZone(ngx_conf_t* cf, ngx_str_t* name, size_t size, void* module_tag);

struct LimitVerdict {
  bool allowed = true;
  std::int64_t retry_after_ms = 0;
};

// Host-wide counters, kept in the same zone (so they survive a reload) and read by
// edgechat_status.
enum class Counter : int {
  kApiRequests,
  kApiPreflights,
  kApi2xx,
  kApi401,
  kApi403,
  kApi429,
  kApiOther4xx,
  kApi5xx,
  kLimitRedis,
  kLimitLocal,
  kLimitCached,  // decided from the worker's leases or known denials, without Redis
  kFrames,
  kFramesRefused,
  kWidget,
  kJsonCount,  // the counters above are edgechat_status's JSON "counters", in this order
  // Prometheus only (edgechat_status prometheus): API replies partitioned by outcome (every
  // OPTIONS is a preflight; the others by status), and the Redis client's round trips and errors.
  kOutcomeAllowed = kJsonCount,
  kOutcomeUnauthorized,
  kOutcomeForbidden,
  kOutcomeLimited,
  kOutcomeOther4xx,
  kOutcome5xx,
  kOutcomeOther,
  kRedisRoundTrips,
  kRedisCommandErrors,
  kRedisConnectionErrors,
  kCount,
};

const char* CounterName(Counter counter);
void Count(ngx_shm_zone_t* zone, Counter counter);
ngx_atomic_uint_t CounterValue(ngx_shm_zone_t* zone, Counter counter);

// Charges every key at once (all must allow). now_ms comes from the host's monotonic clock.
LimitVerdict ShmLimit(ngx_shm_zone_t* zone, const std::vector<core::LimitKey>& keys,
                      std::int64_t now_ms);

}  // namespace edgechat::ngx
