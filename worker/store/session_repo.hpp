// Sessions of the admin panel: stored by the hash of their cookie token, with an idle expiry that
// MySQL decides (last_seen_at against UTC_TIMESTAMP), so every worker agrees.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "shared/result.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

struct SessionInfo {
  std::uint64_t admin_id = 0;
  std::string username;
  std::string display_name;
  std::string csrf_token;
};

Status CreateSession(ConnectionPool& pool, const std::string& token_hash, std::uint64_t admin_id,
                     const std::string& csrf_token);
// The session if it was used within `idle_seconds` and its admin is enabled; records its last
// use as `used_ago` before now (never earlier than the last use already recorded). Expired
// sessions are deleted.
Result<std::optional<SessionInfo>> TouchSession(ConnectionPool& pool, const std::string& token_hash,
                                                unsigned idle_seconds,
                                                std::chrono::milliseconds used_ago);
Status DeleteSession(ConnectionPool& pool, const std::string& token_hash);
// True while the session exists, is not idle longer than `idle_seconds` and its admin is
// enabled. Read only: unlike TouchSession it does not count as use.
Result<bool> SessionAlive(ConnectionPool& pool, const std::string& token_hash,
                          unsigned idle_seconds);

class SessionRepo {
 public:
  virtual ~SessionRepo() = default;
  virtual Status Create(const std::string& token_hash, std::uint64_t admin_id,
                        const std::string& csrf_token) = 0;
  virtual Result<std::optional<SessionInfo>> Touch(const std::string& token_hash,
                                                   unsigned idle_seconds,
                                                   std::chrono::milliseconds used_ago) = 0;
  virtual Status Delete(const std::string& token_hash) = 0;
  virtual Result<bool> Alive(const std::string& token_hash, unsigned idle_seconds) = 0;
};

class MysqlSessionRepo : public SessionRepo {
 public:
  explicit MysqlSessionRepo(ConnectionPool& pool) : pool_(pool) {}
  Status Create(const std::string& token_hash, std::uint64_t admin_id,
                const std::string& csrf_token) override {
    return CreateSession(pool_, token_hash, admin_id, csrf_token);
  }
  Result<std::optional<SessionInfo>> Touch(const std::string& token_hash, unsigned idle_seconds,
                                           std::chrono::milliseconds used_ago) override {
    return TouchSession(pool_, token_hash, idle_seconds, used_ago);
  }
  Status Delete(const std::string& token_hash) override { return DeleteSession(pool_, token_hash); }
  Result<bool> Alive(const std::string& token_hash, unsigned idle_seconds) override {
    return SessionAlive(pool_, token_hash, idle_seconds);
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace edgechat::worker
