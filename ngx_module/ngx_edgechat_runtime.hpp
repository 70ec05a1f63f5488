// Per-worker-process state of the module: the current site registry (synced from Redis, cached on
// disk), the Redis client and the rate limiter that prefers Redis and falls back to shared memory.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/gcra.hpp"
#include "core/limit_cache.hpp"
#include "ngx_edgechat_redis.hpp"
#include "ngx_edgechat_shm_limiter.hpp"
#include "shared/registry.hpp"

namespace edgechat::ngx {

struct RuntimeSettings {
  std::optional<RedisEndpoint> redis;
  shared::RedisCredentials redis_credentials;  // edgechat_redis_user, edgechat_redis_password_file
  ngx_msec_t redis_timeout = 250;
  ngx_msec_t poll_interval = 500;
  std::string registry_cache_path;  // empty: no cache file
  ngx_shm_zone_t* limiter_zone = nullptr;
  core::LeasePolicy lease_policy;  // edgechat_limit_lease
};

class Runtime {
 public:
  using LimitDone = std::function<void(LimitVerdict)>;

  Runtime(RuntimeSettings settings, ngx_log_t* log);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Loads the cache file, connects to Redis and starts polling the registry revision.
  void Start();
  void Stop();

  // The current registry; nullptr until one was loaded (from Redis or the cache file).
  std::shared_ptr<const shared::Registry> registry() const { return registry_; }
  // When the current registry was installed (nginx's cached wall clock, seconds).
  time_t registry_loaded_at() const { return registry_loaded_at_; }

  // Rate-limits the keys together. Decides at once when the worker's limit cache can (a credit
  // leased from Redis for every key, or a key Redis refused until later) or when Redis cannot take
  // the command (shared-memory limiter): stores the verdict in *now and returns nullptr.
  // Otherwise asks Redis, returns the command's handle and calls done later (falling back to
  // shared memory on a timeout or error).
  RedisClient::Pending* Limit(std::vector<core::LimitKey> keys, LimitVerdict* now, LimitDone done);
  void CancelLimit(RedisClient::Pending* pending);

  ngx_shm_zone_t* zone() const { return settings_.limiter_zone; }
  bool redis_configured() const { return redis_ != nullptr; }
  bool redis_connected() const { return redis_ && redis_->connected(); }
  bool limiter_on_redis() const { return redis_connected() && !limiter_fallback_logged_; }

  // Installs a registry parsed from text; used by the poller and the cache file.
  bool Install(std::string_view json_text, std::string_view source);

 private:
  static void OnPollTimer(ngx_event_t* event);
  void Poll();
  void FetchRegistry(std::string revision);
  void LoadScript();
  void LoadCacheFile();
  void WriteCacheFile(std::string_view json_text);
  LimitVerdict Fallback(const std::vector<core::LimitKey>& keys, std::string_view why);
  // Sends the limiter script for keys, asking wanted[i] credits of keys[i].
  RedisClient::Pending* SendLimit(const std::vector<core::LimitKey>& keys,
                                  const std::vector<std::uint32_t>& wanted,
                                  RedisClient::ReplyFn callback);
  // Tops up a busy key's lease in the background.
  void Refill(const core::LimitKey& key, std::uint32_t wanted);
  // Logs (and, for NOSCRIPT, reloads the script) for a reply that is not a limiter answer.
  std::string ReplyProblem(const redisReply* reply, std::string_view error);
  void RedisHealthy();
  // The verdict for a limiter reply to plan.ask: Redis's answer (recorded in the limit cache), or
  // the fallback's for every key when there is none.
  LimitVerdict Decide(const redisReply* reply, std::string_view error,
                      const std::vector<core::LimitKey>& keys, const core::LimitCache::Plan& plan);
  // Returns the credits a request reserved and forgets its lease requests.
  void Unwind(const std::vector<core::LimitKey>& keys, const core::LimitCache::Plan& plan);

  RuntimeSettings settings_;
  ngx_log_t* log_;
  std::unique_ptr<RedisClient> redis_;
  std::shared_ptr<const shared::Registry> registry_;
  time_t registry_loaded_at_ = 0;
  std::string revision_;  // the value of edgechat:registry:rev last installed
  ngx_event_t poll_timer_{};
  bool poll_in_flight_ = false;
  std::string script_sha_;
  bool script_loading_ = false;
  bool limiter_fallback_logged_ = false;
  core::LimitCache limit_cache_;
};

}  // namespace edgechat::ngx
