// Agent presence: each admin is online, away or offline. A panel that is open refreshes its
// admin's presence every `beat` (the admin's chosen state and how long since the last input);
// the record lives in a store with a TTL (Redis, shared by every worker), so a closed tab or a
// killed worker leaves nothing behind once `ttl` passes. The rules are plain functions of the
// record and the time, so the tests move a fake clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "shared/result.hpp"

namespace edgechat::worker {

enum class AgentState { kOnline, kAway, kOffline };

std::string_view AgentStateName(AgentState state);
std::optional<AgentState> ParseAgentState(std::string_view name);

// What a panel last said about its admin.
struct PresenceRecord {
  std::uint64_t admin_id = 0;
  AgentState chosen = AgentState::kOnline;  // online or away (offline is no record at all)
  std::int64_t last_active_ms = 0;          // Unix time of the admin's last input
};

// The stored value of a record ("online 1733470000000"), and back; a value of another shape
// (not ours, or damaged) is Error{kInvalidInput, "invalid_presence"}.
std::string EncodePresence(const PresenceRecord& record);
Result<PresenceRecord> DecodePresence(std::uint64_t admin_id, std::string_view value);

// The state an agent shows at `now_ms`: away when chosen so or idle for `idle` or longer,
// else online. A record's absence (expired, or offline by hand) is offline.
AgentState EffectiveState(const PresenceRecord& record, std::int64_t now_ms,
                          std::chrono::seconds idle);

// What a visitor sees: online when at least one agent is, away otherwise.
enum class SiteAvailability { kOnline, kAway };
std::string_view SiteAvailabilityName(SiteAvailability availability);
SiteAvailability AvailabilityOf(const std::vector<PresenceRecord>& records, std::int64_t now_ms,
                                std::chrono::seconds idle);

// Where records live (Redis in the worker, a fake in tests). Put replaces the admin's record and
// makes it expire after `ttl`; Remove deletes it; All reads every live record.
class PresenceStore {
 public:
  virtual ~PresenceStore() = default;
  virtual Status Put(const PresenceRecord& record, std::chrono::seconds ttl) = 0;
  virtual Status Remove(std::uint64_t admin_id) = 0;
  virtual Result<std::vector<PresenceRecord>> All() = 0;
};

struct PresenceOptions {
  std::chrono::seconds ttl{45};
  std::chrono::seconds beat{15};
  std::chrono::seconds idle{300};
};

// One agent as the panel lists it.
struct AgentPresence {
  std::uint64_t admin_id = 0;
  AgentState state = AgentState::kOffline;
};

class PresenceService {
 public:
  // `changed` runs after each stored change (the worker re-reads presence at once).
  PresenceService(PresenceStore& store, WallClock clock, PresenceOptions options,
                  std::function<void()> changed = {});

  // A panel's refresh: `state` online, away or offline (else Error{kInvalidInput,
  // "invalid_state"}); `idle_ms` the time since the admin's last input, 0..86400000 (else
  // Error{kInvalidInput, "invalid_number"}). Returns the state the admin now shows.
  Result<AgentState> Beat(std::uint64_t admin_id, std::string_view state, std::int64_t idle_ms);
  // Every agent with a live record, with the state each shows now.
  Result<std::vector<AgentPresence>> List();
  // What visitors see now.
  Result<SiteAvailability> Availability();

  const PresenceOptions& options() const { return options_; }

 private:
  std::int64_t NowMs() const;
  PresenceStore& store_;
  WallClock clock_;
  PresenceOptions options_;
  std::function<void()> changed_;
};

}  // namespace edgechat::worker
