#include "core/gcra.hpp"

#include <algorithm>

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

std::int64_t RetryAfterSeconds(std::int64_t retry_after_ms) {
  return std::max<std::int64_t>(1, (retry_after_ms + 999) / 1000);
}

const std::string_view kGcraLuaScript = R"lua(
local now = tonumber(ARGV[1])
local tats = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local tolerance = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  tats[i] = tat
  local ahead = tat - now - tolerance
  if ahead > wait then wait = ahead end
end
if wait > 0 then return {0, wait} end
for i, key in ipairs(KEYS) do
  local new_tat = tats[i] + tonumber(ARGV[2 * i])
  redis.call('SET', key, new_tat, 'PX', new_tat - now + 1000)
end
return {1, 0}
)lua";

}  // namespace edgechat::core
