// A minimal blocking Redis client over hiredis with connect and command timeouts. Used off the
// event loop only (registry publisher thread, CLI, event fan-out threads).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "shared/result.hpp"

struct redisContext;

namespace edgechat::worker {

struct RedisReply {
  enum class Kind { kNil, kString, kInteger, kArray, kStatus } kind = Kind::kNil;
  std::string text;
  long long integer = 0;
  std::vector<RedisReply> elements;
};

class RedisClient {
 public:
  explicit RedisClient(RedisSettings settings);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects (and sends AUTH, with credentials) if not connected. Error{kUnavailable,
  // "redis_unavailable"} names the server and the reason, a refused AUTH included.
  Status Connect();
  bool connected() const { return context_ != nullptr; }
  void Disconnect();

  // Runs one command (arguments passed binary-safe). A broken connection is dropped and
  // reported; the next call reconnects.
  Result<RedisReply> Command(const std::vector<std::string>& args);

  // For subscribers: waits up to `timeout_ms` for the next pushed reply. Error{kUnavailable,
  // "timeout"} when nothing came (the connection stays usable), Error{kUnavailable,
  // "redis_unavailable"} when it broke.
  Result<RedisReply> ReadPush(int timeout_ms);

  const RedisSettings& settings() const { return settings_; }

 private:
  Error Fail(const std::string& what);
  Status Authenticate();
  RedisSettings settings_;
  redisContext* context_ = nullptr;
};

}  // namespace edgechat::worker
