// The registry publisher (docs/architecture.md, "How the edge learns about sites"): reads
// registry_state.revision, builds the registry document from MySQL and stores it in Redis.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "config/config.hpp"
#include "registry/redis_client.hpp"
#include "shared/result.hpp"
#include "store/models.hpp"
#include "store/pool.hpp"

namespace edgechat::worker {

// The document (shared/registry.hpp, beside the edge's parser) for `sites` at `revision` (pure;
// unit-tested).
nlohmann::json RegistryDocument(std::int64_t revision, const std::vector<Site>& sites);

// Reads the revision and every site with its origins from one consistent snapshot.
// `read_pause` (a test fault, fault.registry_read_pause_ms) waits between the revision and the
// sites, so a test can commit a change in between.
Result<nlohmann::json> BuildRegistryDocument(
    ConnectionPool& pool, std::chrono::milliseconds read_pause = std::chrono::milliseconds(0));
Result<std::int64_t> ReadRegistryRevision(ConnectionPool& pool);

// Writes `document` to Redis unless Redis already holds a newer revision (an older publisher
// racing a newer one must not win). Returns true if written.
Result<bool> StoreRegistry(RedisClient& redis, const nlohmann::json& document);

// Build + store, once (the CLI after a change).
Status PublishRegistry(ConnectionPool& pool, const RedisSettings& redis);

// After a database restore, Redis (and every edge) holds a revision newer than the restored one,
// and the compare-and-set never replaces a newer revision. This moves MySQL's revision past the
// one Redis holds, then publishes: the restored sites win everywhere within a second.
struct Republished {
  std::int64_t held = -1;  // the revision Redis held before (-1: none)
  std::int64_t published = 0;
};
Result<Republished> RepublishRegistry(ConnectionPool& pool, const RedisSettings& redis);

// The worker's publisher: a thread that polls every `interval` and publishes on change, at
// start, after a failure, and when Redis lost the document (restart without persistence).
class RegistryPublisher {
 public:
  RegistryPublisher(ConnectionPool& pool, RedisSettings redis,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(500),
                    std::chrono::milliseconds read_pause = std::chrono::milliseconds(0));
  ~RegistryPublisher();
  void Start();
  void Stop();
  bool redis_ok() const { return redis_ok_; }
  std::int64_t published_revision() const { return published_; }

 private:
  void Run();
  void Tick();

  ConnectionPool& pool_;
  RedisClient redis_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds read_pause_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> redis_ok_{false};
  std::atomic<std::int64_t> published_{-1};
  unsigned ticks_ = 0;
  bool last_failed_logged_ = false;
};

}  // namespace edgechat::worker
