// Agent presence in Redis: one key per admin, edgechat:presence:<admin id>, holding
// EncodePresence's value with a TTL (SET ... PX), so a panel that stops refreshing (a closed
// tab, a killed worker) is gone by itself. Read with SCAN + MGET; the number of admins is small.
// Blocking: called on the worker's blocking pool and its presence thread, one command at a time.
#pragma once

#include <mutex>

#include "config/config.hpp"
#include "registry/redis_client.hpp"
#include "service/presence.hpp"

namespace edgechat::worker {

inline constexpr const char* kPresenceKeyPrefix = "edgechat:presence:";

class RedisPresenceStore : public PresenceStore {
 public:
  explicit RedisPresenceStore(RedisSettings settings) : redis_(std::move(settings)) {}
  Status Put(const PresenceRecord& record, std::chrono::seconds ttl) override;
  Status Remove(std::uint64_t admin_id) override;
  Result<std::vector<PresenceRecord>> All() override;

 private:
  std::mutex mu_;
  RedisClient redis_;
};

}  // namespace edgechat::worker
