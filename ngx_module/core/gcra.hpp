// The generic cell rate algorithm (GCRA): a rate limiter that keeps one timestamp per key, the
// "theoretical arrival time" (TAT). The same math runs in Redis (kGcraLuaScript, shared by every
// nginx host) and in the per-host shared-memory fallback.
//
// A limit of `messages` per `window` with `burst` allows burst + 1 requests at once, then one per
// emission interval (window / messages).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace edgechat::core {

struct GcraParams {
  std::int64_t emission_ms = 1000;  // interval between requests at the sustained rate
  std::int64_t tolerance_ms = 0;    // how far ahead of schedule a key may run (burst)
};

GcraParams GcraFor(std::uint32_t messages, std::uint32_t window_seconds, std::uint32_t burst);

struct GcraDecision {
  bool allowed = false;
  std::int64_t new_tat_ms = 0;      // store this when allowed (unchanged when denied)
  std::int64_t retry_after_ms = 0;  // when denied: wait this long before trying again
  std::int64_t ttl_ms = 0;          // how long the stored TAT matters
};

// One limiter key and the rate it is held to.
struct LimitKey {
  std::string key;
  GcraParams params;
};

// stored_tat_ms: the key's TAT, or 0 when the key has none (or it expired).
GcraDecision GcraCheck(std::int64_t stored_tat_ms, std::int64_t now_ms, const GcraParams& params);

// The decision for keys charged together (a request's keys): allowed only when every key allows.
struct GcraBatchDecision {
  bool allowed = true;
  std::int64_t retry_after_ms = 0;     // denied: the longest wait any refusing key asks for
  std::vector<std::int64_t> new_tats;  // allowed: the TAT each key stores; empty when denied
};

// stored_tats[i] is keys[i]'s TAT (0 when it has none). A denied request charges nothing and
// stores nothing: state exists only for keys that were allowed, so a refused flood of new keys
// (random guest tokens, say) cannot take room from the keys it shares a store with.
GcraBatchDecision GcraCheckAll(const std::vector<LimitKey>& keys,
                               const std::vector<std::int64_t>& stored_tats, std::int64_t now_ms);

// Parses a directive's "RATE [burst=N]": RATE is Nr/s, Nr/m or Nr/h; burst_option is empty or
// "burst=N".
Result<GcraParams> ParseRateLimit(std::string_view rate, std::string_view burst_option);

// Retry-After in whole seconds, rounded up and at least 1.
std::int64_t RetryAfterSeconds(std::int64_t retry_after_ms);

// Redis script: KEYS = limiter keys (all must allow, then all are charged); ARGV = now_ms (the
// calling host's wall clock), then emission_ms, tolerance_ms and the credits wanted (the lease,
// 1 for plain GCRA) of each key in turn. Returns {1, 0, granted credits of each key...} when
// allowed, or {0, retry_after_ms, index (1-based) of the key that refused}. Each key is charged
// its grant, LeaseGrant's rule (core/limit_cache.hpp). The hosts' clocks must agree (NTP): a skew
// of a few ms is negligible next to emission intervals of seconds, and calling Redis's TIME from
// the script costs about a third of its throughput.
extern const std::string_view kGcraLuaScript;

}  // namespace edgechat::core
