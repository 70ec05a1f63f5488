#include "core/gcra.hpp"

#include <algorithm>
#include <charconv>

namespace edgechat::core {

GcraParams GcraFor(std::uint32_t messages, std::uint32_t window_seconds, std::uint32_t burst) {
  messages = std::max<std::uint32_t>(messages, 1);
  window_seconds = std::max<std::uint32_t>(window_seconds, 1);
  GcraParams params;
  params.emission_ms = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(window_seconds) * 1000 / static_cast<std::int64_t>(messages));
  params.tolerance_ms = params.emission_ms * static_cast<std::int64_t>(burst);
  return params;
}

GcraDecision GcraCheck(std::int64_t stored_tat_ms, std::int64_t now_ms, const GcraParams& params) {
  GcraDecision decision;
  std::int64_t tat = std::max(stored_tat_ms, now_ms);
  std::int64_t ahead = tat - now_ms;
  if (ahead > params.tolerance_ms) {
    decision.allowed = false;
    decision.new_tat_ms = stored_tat_ms;
    decision.retry_after_ms = ahead - params.tolerance_ms;
    decision.ttl_ms = std::max<std::int64_t>(0, stored_tat_ms - now_ms);
    return decision;
  }
  decision.allowed = true;
  decision.new_tat_ms = tat + params.emission_ms;
  decision.ttl_ms = decision.new_tat_ms - now_ms;
  return decision;
}

GcraBatchDecision GcraCheckAll(const std::vector<LimitKey>& keys,
                               const std::vector<std::int64_t>& stored_tats, std::int64_t now_ms) {
  GcraBatchDecision batch;
  std::vector<std::int64_t> new_tats;
  new_tats.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); i++) {
    std::int64_t stored = i < stored_tats.size() ? stored_tats[i] : 0;
    GcraDecision decision = GcraCheck(stored, now_ms, keys[i].params);
    if (!decision.allowed) {
      batch.allowed = false;
      batch.retry_after_ms = std::max(batch.retry_after_ms, decision.retry_after_ms);
    }
    new_tats.push_back(decision.new_tat_ms);
  }
  if (batch.allowed) batch.new_tats = std::move(new_tats);
  return batch;
}

namespace {

bool ParseCount(std::string_view text, std::uint32_t* value) {
  if (text.empty() || text.size() > 7) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<GcraParams> ParseRateLimit(std::string_view rate, std::string_view burst_option) {
  Error invalid{ErrorKind::kInvalidInput, "invalid_rate",
                "expected RATE [burst=N] with RATE like 20r/s, 600r/m or 60r/h"};
  std::uint32_t window = 0;
  if (rate.ends_with("r/s")) {
    window = 1;
  } else if (rate.ends_with("r/m")) {
    window = 60;
  } else if (rate.ends_with("r/h")) {
    window = 3600;
  }
  std::uint32_t count = 0;
  if (window == 0 || !ParseCount(rate.substr(0, rate.size() - 3), &count) || count == 0) {
    return invalid;
  }
  std::uint32_t burst = 0;
  if (!burst_option.empty()) {
    constexpr std::string_view kBurst = "burst=";
    if (!burst_option.starts_with(kBurst) ||
        !ParseCount(burst_option.substr(kBurst.size()), &burst)) {
      return invalid;
    }
  }
  return GcraFor(count, window, burst);
}

std::int64_t RetryAfterSeconds(std::int64_t retry_after_ms) {
  return std::max<std::int64_t>(1, (retry_after_ms + 999) / 1000);
}

// Mirrors LeaseGrant (core/limit_cache.cpp) for the grant of each key.
const std::string_view kGcraLuaScript = R"lua(
local now = tonumber(ARGV[1])
local tats = {}
local grants = {}
local wait = 0
local worst = 0
for i, key in ipairs(KEYS) do
  local emission = tonumber(ARGV[3 * i - 1])
  local tolerance = tonumber(ARGV[3 * i])
  local wanted = tonumber(ARGV[3 * i + 1])
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  tats[i] = tat
  local ahead = tat - now - tolerance
  if ahead > wait then
    wait = ahead
    worst = i
  end
  local grant = math.floor((math.floor((tolerance - (tat - now)) / emission) + 1) / 2)
  if grant > wanted then grant = wanted end
  if grant < 1 then grant = 1 end
  grants[i] = grant
end
if wait > 0 then return {0, wait, worst} end
local reply = {1, 0}
for i, key in ipairs(KEYS) do
  local new_tat = tats[i] + grants[i] * tonumber(ARGV[3 * i - 1])
  redis.call('SET', key, new_tat, 'PX', new_tat - now + 1000)
  reply[i + 2] = grants[i]
end
return reply
)lua";

}  // namespace edgechat::core
