#include "service/presence.hpp"

#include <charconv>

namespace edgechat::worker {

namespace {

constexpr std::int64_t kMaxIdleMs = 86400LL * 1000;

Error InvalidPresence() {
  return Error{ErrorKind::kInvalidInput, "invalid_presence", "Not a presence record."};
}

}  // namespace

std::string_view AgentStateName(AgentState state) {
  switch (state) {
    case AgentState::kOnline:
      return "online";
    case AgentState::kAway:
      return "away";
    case AgentState::kOffline:
      return "offline";
  }
  return "offline";
}

std::optional<AgentState> ParseAgentState(std::string_view name) {
  if (name == "online") return AgentState::kOnline;
  if (name == "away") return AgentState::kAway;
  if (name == "offline") return AgentState::kOffline;
  return std::nullopt;
}

std::string EncodePresence(const PresenceRecord& record) {
  return std::string(AgentStateName(record.chosen)) + " " + std::to_string(record.last_active_ms);
}

Result<PresenceRecord> DecodePresence(std::uint64_t admin_id, std::string_view value) {
  auto space = value.find(' ');
  if (space == std::string_view::npos || value.size() > 64) return InvalidPresence();
  auto state = ParseAgentState(value.substr(0, space));
  if (!state || *state == AgentState::kOffline) return InvalidPresence();
  std::string_view digits = value.substr(space + 1);
  std::int64_t at = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), at);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || at < 0) {
    return InvalidPresence();
  }
  return PresenceRecord{admin_id, *state, at};
}

AgentState EffectiveState(const PresenceRecord& record, std::int64_t now_ms,
                          std::chrono::seconds idle) {
  if (record.chosen != AgentState::kOnline) return record.chosen;
  const std::int64_t idle_ms = static_cast<std::int64_t>(idle.count()) * 1000;
  return now_ms - record.last_active_ms >= idle_ms ? AgentState::kAway : AgentState::kOnline;
}

std::string_view SiteAvailabilityName(SiteAvailability availability) {
  return availability == SiteAvailability::kOnline ? "online" : "away";
}

SiteAvailability AvailabilityOf(const std::vector<PresenceRecord>& records, std::int64_t now_ms,
                                std::chrono::seconds idle) {
  for (const auto& record : records) {
    if (EffectiveState(record, now_ms, idle) == AgentState::kOnline) {
      return SiteAvailability::kOnline;
    }
  }
  return SiteAvailability::kAway;
}

PresenceService::PresenceService(PresenceStore& store, WallClock clock, PresenceOptions options,
                                 std::function<void()> changed)
    : store_(store), clock_(std::move(clock)), options_(options), changed_(std::move(changed)) {}

std::int64_t PresenceService::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
}

Result<AgentState> PresenceService::Beat(std::uint64_t admin_id, std::string_view state,
                                         std::int64_t idle_ms) {
  auto chosen = ParseAgentState(state);
  if (!chosen) {
    return Error{ErrorKind::kInvalidInput, "invalid_state",
                 "state must be online, away or offline."};
  }
  if (idle_ms < 0 || idle_ms > kMaxIdleMs) {
    return Error{ErrorKind::kInvalidInput, "invalid_number",
                 "idleMs must be a whole number from 0 to 86400000."};
  }
  AgentState shown = AgentState::kOffline;
  if (*chosen == AgentState::kOffline) {
    EC_TRY(removed, store_.Remove(admin_id));
    (void)removed;
  } else {
    const std::int64_t now = NowMs();
    PresenceRecord record{admin_id, *chosen, now - idle_ms};
    EC_TRY(put, store_.Put(record, options_.ttl));
    (void)put;
    shown = EffectiveState(record, now, options_.idle);
  }
  if (changed_) changed_();
  return shown;
}

Result<std::vector<AgentPresence>> PresenceService::List() {
  EC_TRY(records, store_.All());
  const std::int64_t now = NowMs();
  std::vector<AgentPresence> out;
  out.reserve(records.size());
  for (const auto& record : records) {
    out.push_back(AgentPresence{record.admin_id, EffectiveState(record, now, options_.idle)});
  }
  return out;
}

Result<SiteAvailability> PresenceService::Availability() {
  EC_TRY(records, store_.All());
  return AvailabilityOf(records, NowMs(), options_.idle);
}

}  // namespace edgechat::worker
