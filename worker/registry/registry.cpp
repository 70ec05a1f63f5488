#include "registry/registry.hpp"

#include <thread>

#include "json/json_shapes.hpp"
#include "log/log.hpp"
#include "shared/registry.hpp"
#include "store/mysql_util.hpp"
#include "store/site_repo.hpp"

namespace edgechat::worker {

using nlohmann::json;

json RegistryDocument(std::int64_t revision, const std::vector<Site>& sites) {
  std::vector<shared::RegistryEntry> entries;
  entries.reserve(sites.size());
  for (const auto& s : sites) entries.push_back(RegistryEntryOf(s));
  return shared::RegistryDocument(revision, entries);
}

Result<std::int64_t> ReadRegistryRevision(ConnectionPool& pool) {
  return WithConnection<std::int64_t>(
      pool, [&](DbConnection& c) -> Result<std::int64_t> { return ReadRegistryRevision(c); });
}

Result<json> BuildRegistryDocument(ConnectionPool& pool, std::chrono::milliseconds read_pause) {
  // One snapshot: the revision, the sites and their origins are one committed state, so a change
  // committed between the reads cannot appear under an older revision.
  return WithTransaction<json>(
      pool,
      [&](DbConnection& c) -> Result<json> {
        auto revision = ReadRegistryRevision(c);
        if (!revision) return revision.error();
        if (read_pause.count() > 0) std::this_thread::sleep_for(read_pause);
        std::vector<Site> sites = LoadSitesWithOrigins(c);
        LoadActiveSecretKeyHashes(c, sites);
        return RegistryDocument(*revision, sites);
      },
      TransactionKind::kConsistentSnapshot);
}

Result<bool> StoreRegistry(RedisClient& redis, const json& document) {
  // Compare-and-set in one script: SET document, SET revision, PUBLISH, only if newer.
  static constexpr const char* kScript =
      "local cur = tonumber(redis.call('GET', KEYS[2]) or '-1') "
      "if cur ~= nil and cur >= tonumber(ARGV[2]) and redis.call('EXISTS', KEYS[1]) == 1 then "
      "return 0 end "
      "redis.call('SET', KEYS[1], ARGV[1]) "
      "redis.call('SET', KEYS[2], ARGV[2]) "
      "redis.call('PUBLISH', KEYS[1], ARGV[2]) "
      "return 1";
  std::string revision = std::to_string(document.at("revision").get<std::int64_t>());
  auto reply =
      redis.Command({"EVAL", kScript, "2", shared::kRegistryKey, shared::kRegistryRevisionKey,
                     document.dump(-1, ' ', false, json::error_handler_t::replace), revision});
  if (!reply) return reply.error();
  return reply->integer == 1;
}

Status PublishRegistry(ConnectionPool& pool, const RedisSettings& settings) {
  auto document = BuildRegistryDocument(pool);
  if (!document) return document.error();
  RedisClient redis(settings);
  auto stored = StoreRegistry(redis, *document);
  if (!stored) return stored.error();
  return Ok{};
}

Result<Republished> RepublishRegistry(ConnectionPool& pool, const RedisSettings& settings) {
  RedisClient redis(settings);
  auto held_reply = redis.Command({"GET", shared::kRegistryRevisionKey});
  if (!held_reply) return held_reply.error();
  Republished out;
  if (!held_reply->text.empty()) {
    try {
      out.held = std::stoll(held_reply->text);
    } catch (const std::exception&) {
      return Error{ErrorKind::kInternal, "redis_error",
                   std::string(shared::kRegistryRevisionKey) + " holds \"" + held_reply->text +
                       "\", not a revision"};
    }
  }
  auto bumped = WithTransaction<std::int64_t>(pool, [&](DbConnection& c) -> Result<std::int64_t> {
    auto bump = Prepare(c,
                        "UPDATE registry_state SET revision = GREATEST(revision, ?) + 1 "
                        "WHERE id = 1");
    bump->setInt64(1, out.held);
    bump->executeUpdate();
    return ReadRegistryRevision(c);
  });
  if (!bumped) return bumped.error();
  auto document = BuildRegistryDocument(pool);
  if (!document) return document.error();
  auto stored = StoreRegistry(redis, *document);
  if (!stored) return stored.error();
  // A site change committed meanwhile publishes a still newer revision; either way Redis now holds
  // one at least as new as ours.
  out.published = document->at("revision").get<std::int64_t>();
  return out;
}

RegistryPublisher::RegistryPublisher(ConnectionPool& pool, RedisSettings redis,
                                     std::chrono::milliseconds interval,
                                     std::chrono::milliseconds read_pause)
    : pool_(pool), redis_(std::move(redis)), interval_(interval), read_pause_(read_pause) {}

RegistryPublisher::~RegistryPublisher() {
  Stop();
}

void RegistryPublisher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RegistryPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RegistryPublisher::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    Tick();
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

void RegistryPublisher::Tick() {
  ++ticks_;
  auto revision = ReadRegistryRevision(pool_);
  if (!revision) {
    if (!last_failed_logged_) LogWarn("registry", revision.error().message);
    last_failed_logged_ = true;
    return;
  }
  bool changed = *revision != published_;
  // Every 10 ticks (5 s), check that Redis still holds our revision: a Redis restarted without
  // persistence has lost the document and the edges would keep stale copies forever.
  if (!changed && ticks_ % 10 == 0) {
    auto held = redis_.Command({"GET", shared::kRegistryRevisionKey});
    if (!held || held->kind != RedisReply::Kind::kString) {
      changed = true;
    } else {
      try {
        changed = std::stoll(held->text) < *revision;
      } catch (const std::exception&) {
        changed = true;
      }
    }
  }
  if (!changed) return;
  auto document = BuildRegistryDocument(pool_, read_pause_);
  if (!document) {
    if (!last_failed_logged_) LogWarn("registry", document.error().message);
    last_failed_logged_ = true;
    return;
  }
  auto stored = StoreRegistry(redis_, *document);
  if (!stored) {
    redis_ok_ = false;
    if (!last_failed_logged_) LogWarn("registry", stored.error().message);
    last_failed_logged_ = true;
    return;
  }
  redis_ok_ = true;
  if (last_failed_logged_) LogInfo("registry", "publishing again");
  last_failed_logged_ = false;
  std::int64_t rev = document->at("revision").get<std::int64_t>();
  if (rev != published_) {
    LogInfo("registry", "published revision " + std::to_string(rev) + " (" +
                            std::to_string(document->at("sites").size()) + " sites)");
  }
  published_ = rev;
}

}  // namespace edgechat::worker
