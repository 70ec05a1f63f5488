#include "ngx_edgechat_runtime.hpp"

#include <time.h>

#include <algorithm>
#include <optional>

namespace edgechat::ngx {
namespace {

std::string_view ReplyText(const redisReply* reply) {
  if (reply == nullptr ||
      (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS)) {
    return {};
  }
  return {reply->str, reply->len};
}

// The largest registry the cache file holds: each write is one bounded write() in the event loop
// (into the page cache, no fsync), and the read at start is bounded the same way.
constexpr std::size_t kMaxCacheFileBytes = 8 * 1024 * 1024;
// A cache write slower than this (a stalled disk) is logged: it held up this worker's requests.
constexpr std::int64_t kSlowCacheWriteMs = 20;

std::int64_t MonotonicMs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

// Writes all of text to a new file at path; false (errno kept) on failure.
bool WriteWholeFile(const std::string& path, std::string_view text) {
  auto* name = reinterpret_cast<u_char*>(const_cast<char*>(path.c_str()));
  ngx_fd_t fd = ngx_open_file(name, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE, NGX_FILE_DEFAULT_ACCESS);
  if (fd == NGX_INVALID_FILE) return false;
  bool ok = true;
  for (std::size_t done = 0; done < text.size();) {
    ssize_t n = ngx_write_fd(fd, const_cast<char*>(text.data() + done), text.size() - done);
    if (n < 0 && ngx_errno == NGX_EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ngx_err_t err = ngx_errno;
  if (ngx_close_file(fd) == NGX_FILE_ERROR && ok) return false;
  ngx_set_errno(err);
  return ok;
}

// The whole file, if it exists, is readable and at most max_bytes long.
std::optional<std::string> ReadWholeFile(const std::string& path, std::size_t max_bytes) {
  auto* name = reinterpret_cast<u_char*>(const_cast<char*>(path.c_str()));
  ngx_fd_t fd = ngx_open_file(name, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
  if (fd == NGX_INVALID_FILE) return std::nullopt;
  std::optional<std::string> text;
  ngx_file_info_t info;
  if (ngx_fd_info(fd, &info) != NGX_FILE_ERROR && ngx_file_size(&info) >= 0 &&
      static_cast<std::size_t>(ngx_file_size(&info)) <= max_bytes) {
    std::string body(static_cast<std::size_t>(ngx_file_size(&info)), '\0');
    std::size_t done = 0;
    while (done < body.size()) {
      ssize_t n = ngx_read_fd(fd, body.data() + done, body.size() - done);
      if (n < 0 && ngx_errno == NGX_EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (done == body.size()) text = std::move(body);
  }
  ngx_close_file(fd);
  return text;
}

}  // namespace

Runtime::Runtime(RuntimeSettings settings, ngx_log_t* log)
    : settings_(std::move(settings)), log_(log), limit_cache_(settings_.lease_policy) {
  poll_timer_.handler = OnPollTimer;
  poll_timer_.data = this;
  poll_timer_.log = log_;
  poll_timer_.cancelable = 1;
}

Runtime::~Runtime() {
  Stop();
}

void Runtime::Start() {
  LoadCacheFile();
  if (settings_.redis) {
    redis_ = std::make_unique<RedisClient>(*settings_.redis, settings_.redis_credentials,
                                           settings_.redis_timeout, log_);
    redis_->set_on_event(
        [](void* data, RedisClient::Event event) {
          auto* zone = static_cast<ngx_shm_zone_t*>(data);
          switch (event) {
            case RedisClient::Event::kRoundTrip:
              Count(zone, Counter::kRedisRoundTrips);
              break;
            case RedisClient::Event::kCommandError:
              Count(zone, Counter::kRedisCommandErrors);
              break;
            case RedisClient::Event::kConnectionError:
              Count(zone, Counter::kRedisConnectionErrors);
              break;
          }
        },
        settings_.limiter_zone);
    redis_->set_on_connect([this] {
      script_sha_.clear();
      script_loading_ = false;
      LoadScript();
      Poll();
    });
    redis_->Start();
    ngx_add_timer(&poll_timer_, settings_.poll_interval);
  }
}

void Runtime::Stop() {
  if (poll_timer_.timer_set) ngx_del_timer(&poll_timer_);
  if (redis_) redis_->Shutdown();
}

void Runtime::OnPollTimer(ngx_event_t* event) {
  auto* self = static_cast<Runtime*>(event->data);
  if (ngx_exiting || ngx_quit || ngx_terminate) return;
  NoThrow(self->log_, "registry poll", [self] { self->Poll(); });
  ngx_add_timer(&self->poll_timer_, self->settings_.poll_interval);
}

void Runtime::Poll() {
  if (!redis_ || !redis_->connected() || poll_in_flight_) return;
  auto* pending = redis_->Command({"GET", shared::kRegistryRevisionKey},
                                  [this](const redisReply* reply, std::string_view) {
                                    poll_in_flight_ = false;
                                    if (reply == nullptr) return;
                                    RedisHealthy();
                                    std::string_view revision = ReplyText(reply);
                                    if (revision.empty() || revision == revision_) return;
                                    FetchRegistry(std::string(revision));
                                  });
  poll_in_flight_ = pending != nullptr;
}

void Runtime::FetchRegistry(std::string revision) {
  auto* pending = redis_->Command({"GET", shared::kRegistryKey},
                                  [this, revision](const redisReply* reply, std::string_view) {
                                    poll_in_flight_ = false;
                                    std::string_view text = ReplyText(reply);
                                    if (reply == nullptr || text.empty()) return;
                                    if (Install(text, "Redis")) {
                                      WriteCacheFile(text);
                                    }
                                    // Even a broken document is not fetched again until the
                                    // revision moves on.
                                    revision_ = revision;
                                  });
  poll_in_flight_ = pending != nullptr;
}

bool Runtime::Install(std::string_view json_text, std::string_view source) {
  Result<shared::Registry> parsed = shared::ParseRegistry(json_text);
  std::string from(source);
  if (!parsed) {
    ngx_log_error(NGX_LOG_ERR, log_, 0,
                  "edgechat: registry from %s rejected: %s; keeping the last good one",
                  from.c_str(), parsed.error().message.c_str());
    return false;
  }
  for (const std::string& warning : parsed->warnings) {
    ngx_log_error(NGX_LOG_WARN, log_, 0, "edgechat: registry from %s: %s", from.c_str(),
                  warning.c_str());
  }
  ngx_log_error(NGX_LOG_INFO, log_, 0, "edgechat: registry revision %L from %s: %uz sites",
                static_cast<int64_t>(parsed->revision), from.c_str(), parsed->sites.size());
  registry_ = std::make_shared<const shared::Registry>(std::move(parsed).value());
  registry_loaded_at_ = ngx_time();
  // Limits may have changed: leases and denials taken under the old ones no longer apply.
  limit_cache_.Clear();
  return true;
}

void Runtime::LoadCacheFile() {
  if (settings_.registry_cache_path.empty() || registry_) return;
  std::optional<std::string> text =
      ReadWholeFile(settings_.registry_cache_path, kMaxCacheFileBytes);
  if (text) Install(*text, "cache file");
}

void Runtime::WriteCacheFile(std::string_view json_text) {
  // Every worker installs the same documents: one writer is enough.
  if (settings_.registry_cache_path.empty() || ngx_worker != 0) return;
  const char* path = settings_.registry_cache_path.c_str();
  if (json_text.size() > kMaxCacheFileBytes) {
    ngx_log_error(NGX_LOG_WARN, log_, 0,
                  "edgechat: registry of %uz bytes not cached in \"%s\" (over %uz bytes)",
                  json_text.size(), path, kMaxCacheFileBytes);
    return;
  }
  // A temporary file renamed over the cache: readers never see a half-written file. The pid keeps
  // the writers of an old and a new generation (during a reload) apart.
  std::string temporary =
      settings_.registry_cache_path + ".tmp." + std::to_string(static_cast<long>(ngx_pid));
  auto* temporary_name = reinterpret_cast<u_char*>(temporary.data());
  std::int64_t started = MonotonicMs();
  if (!WriteWholeFile(temporary, json_text)) {
    ngx_log_error(NGX_LOG_WARN, log_, ngx_errno, "edgechat: cannot write registry cache \"%s\"",
                  temporary.c_str());
    ngx_delete_file(temporary_name);
    return;
  }
  if (ngx_rename_file(temporary_name, reinterpret_cast<u_char*>(const_cast<char*>(path))) ==
      NGX_FILE_ERROR) {
    ngx_log_error(NGX_LOG_WARN, log_, ngx_errno, "edgechat: cannot replace registry cache \"%s\"",
                  path);
    ngx_delete_file(temporary_name);
    return;
  }
  std::int64_t took = MonotonicMs() - started;
  ngx_uint_t level = took > kSlowCacheWriteMs ? NGX_LOG_WARN : NGX_LOG_INFO;
  ngx_log_error(level, log_, 0, "edgechat: registry cache \"%s\" written: %uz bytes in %L ms", path,
                json_text.size(), static_cast<int64_t>(took));
}

void Runtime::LoadScript() {
  if (!redis_ || script_loading_) return;
  auto* pending = redis_->Command({"SCRIPT", "LOAD", core::kGcraLuaScript},
                                  [this](const redisReply* reply, std::string_view) {
                                    script_loading_ = false;
                                    std::string_view sha = ReplyText(reply);
                                    if (!sha.empty()) script_sha_ = std::string(sha);
                                  });
  script_loading_ = pending != nullptr;
}

void Runtime::RedisHealthy() {
  if (limiter_fallback_logged_) {
    limiter_fallback_logged_ = false;
    ngx_log_error(NGX_LOG_NOTICE, log_, 0, "edgechat: rate limits shared through Redis again");
  }
}

LimitVerdict Runtime::Fallback(const std::vector<core::LimitKey>& keys, std::string_view why) {
  // Without edgechat_redis the shared-memory limiter is the configured one, not a fallback.
  if (redis_ && !limiter_fallback_logged_) {
    limiter_fallback_logged_ = true;
    std::string reason(why);
    ngx_log_error(NGX_LOG_WARN, log_, 0,
                  "edgechat: Redis limiter unavailable (%s); limiting per host until it is back",
                  reason.c_str());
  }
  Count(settings_.limiter_zone, Counter::kLimitLocal);
  return ShmLimit(settings_.limiter_zone, keys, static_cast<std::int64_t>(ngx_current_msec));
}

RedisClient::Pending* Runtime::SendLimit(const std::vector<core::LimitKey>& keys,
                                         const std::vector<std::uint32_t>& wanted,
                                         RedisClient::ReplyFn callback) {
  std::vector<std::string> numbers;
  numbers.reserve(keys.size() * 3 + 1);
  ngx_time_t* now_time = ngx_timeofday();
  numbers.push_back(std::to_string(static_cast<std::int64_t>(now_time->sec) * 1000 +
                                   static_cast<std::int64_t>(now_time->msec)));
  for (std::size_t i = 0; i < keys.size(); i++) {
    numbers.push_back(std::to_string(keys[i].params.emission_ms));
    numbers.push_back(std::to_string(keys[i].params.tolerance_ms));
    numbers.push_back(std::to_string(wanted[i]));
  }
  std::string key_count = std::to_string(keys.size());
  // Until SCRIPT LOAD has answered (just after a connect), send the script itself.
  std::vector<std::string_view> args = {"EVALSHA", script_sha_, key_count};
  if (script_sha_.empty()) {
    args[0] = "EVAL";
    args[1] = core::kGcraLuaScript;
    LoadScript();
  }
  for (const core::LimitKey& key : keys) args.push_back(key.key);
  for (const std::string& number : numbers) args.push_back(number);
  return redis_->Command(args, std::move(callback));
}

namespace {

// The limiter script's answer for key_count keys (see kGcraLuaScript).
struct LimitReply {
  bool allowed = false;
  std::int64_t retry_after_ms = 0;
  std::vector<std::uint32_t> grants;  // allowed: credits charged for each key
  std::size_t refused_index = 0;      // denied: the key that refused (0-based)
};

std::optional<LimitReply> ParseLimitReply(const redisReply* reply, std::size_t key_count) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < reply->elements; i++) {
    if (reply->element[i]->type != REDIS_REPLY_INTEGER) return std::nullopt;
  }
  LimitReply parsed;
  parsed.allowed = reply->element[0]->integer == 1;
  parsed.retry_after_ms = reply->element[1]->integer;
  if (parsed.allowed) {
    if (reply->elements != key_count + 2) return std::nullopt;
    for (std::size_t i = 0; i < key_count; i++) {
      long long grant = reply->element[i + 2]->integer;
      parsed.grants.push_back(static_cast<std::uint32_t>(std::clamp<long long>(grant, 1, 1 << 20)));
    }
  } else {
    if (reply->elements != 3) return std::nullopt;
    long long index = reply->element[2]->integer;
    if (index < 1 || static_cast<std::size_t>(index) > key_count) return std::nullopt;
    parsed.refused_index = static_cast<std::size_t>(index - 1);
  }
  return parsed;
}

}  // namespace

std::string Runtime::ReplyProblem(const redisReply* reply, std::string_view error) {
  std::string why(error.empty() ? "unexpected reply" : error);
  if (reply != nullptr && reply->type == REDIS_REPLY_ERROR) {
    why.assign(reply->str, reply->len);
    if (why.starts_with("NOSCRIPT")) {
      script_sha_.clear();
      LoadScript();
    }
  }
  return why;
}

void Runtime::Refill(const core::LimitKey& key, std::uint32_t wanted) {
  if (!redis_->connected()) {
    limit_cache_.AskFailed(key.key, true);
    return;
  }
  std::vector<core::LimitKey> keys{key};
  auto callback = [this, key, generation = limit_cache_.generation()](const redisReply* reply,
                                                                      std::string_view error) {
    std::int64_t now_ms = static_cast<std::int64_t>(ngx_current_msec);
    std::optional<LimitReply> parsed = ParseLimitReply(reply, 1);
    if (generation != limit_cache_.generation()) {  // the limits changed meanwhile
      if (!parsed) ReplyProblem(reply, error);
      return;
    }
    if (parsed && parsed->allowed) {
      limit_cache_.Granted(key, parsed->grants[0], /*spent_one=*/false, /*lease=*/true, now_ms);
      return;
    }
    // Refused: the credits still held here were charged already; spend them, then ask again.
    limit_cache_.AskFailed(key.key, true);
    if (!parsed) ReplyProblem(reply, error);
  };
  if (SendLimit(keys, {wanted}, std::move(callback)) == nullptr) {
    limit_cache_.AskFailed(key.key, true);
  }
}

void Runtime::Unwind(const std::vector<core::LimitKey>& keys, const core::LimitCache::Plan& plan) {
  if (plan.generation != limit_cache_.generation()) return;
  std::int64_t now_ms = static_cast<std::int64_t>(ngx_current_msec);
  for (std::size_t index : plan.reserved) limit_cache_.Refund(keys[index].key, now_ms);
  for (const core::LimitCache::Ask& ask : plan.ask) {
    limit_cache_.AskFailed(keys[ask.index].key, ask.lease);
  }
}

RedisClient::Pending* Runtime::Limit(std::vector<core::LimitKey> keys, LimitVerdict* now,
                                     LimitDone done) {
  if (!redis_) {
    *now = Fallback(keys, "not configured");
    return nullptr;
  }
  std::int64_t now_ms = static_cast<std::int64_t>(ngx_current_msec);
  core::LimitCache::Plan plan = limit_cache_.Check(keys, now_ms);
  if (plan.outcome == core::LimitCache::Outcome::kDenied) {
    Count(settings_.limiter_zone, Counter::kLimitCached);
    now->allowed = false;
    now->retry_after_ms = plan.retry_after_ms;
    return nullptr;
  }
  if (plan.outcome == core::LimitCache::Outcome::kAllowed) {
    Count(settings_.limiter_zone, Counter::kLimitCached);
    for (const core::LimitCache::Ask& refill : plan.refill)
      Refill(keys[refill.index], refill.wanted);
    *now = LimitVerdict{};
    return nullptr;
  }
  if (!redis_->connected()) {
    Unwind(keys, plan);
    *now = Fallback(keys, "not connected");
    return nullptr;
  }
  std::vector<core::LimitKey> asked;
  std::vector<std::uint32_t> wanted;
  asked.reserve(plan.ask.size());
  wanted.reserve(plan.ask.size());
  for (const core::LimitCache::Ask& ask : plan.ask) {
    asked.push_back(keys[ask.index]);
    wanted.push_back(ask.wanted);
  }
  auto callback = [this, keys, plan, done = std::move(done)](const redisReply* reply,
                                                             std::string_view error) {
    LimitVerdict verdict;  // allowed: if deciding itself fails, fail open rather than hang
    NoThrow(log_, "rate limit decision", [&] { verdict = Decide(reply, error, keys, plan); });
    done(verdict);
  };
  RedisClient::Pending* pending = SendLimit(asked, wanted, std::move(callback));
  if (pending == nullptr) {
    Unwind(keys, plan);
    *now = Fallback(keys, "command not queued");
  }
  return pending;
}

LimitVerdict Runtime::Decide(const redisReply* reply, std::string_view error,
                             const std::vector<core::LimitKey>& keys,
                             const core::LimitCache::Plan& plan) {
  std::int64_t now_ms = static_cast<std::int64_t>(ngx_current_msec);
  std::optional<LimitReply> parsed = ParseLimitReply(reply, plan.ask.size());
  if (!parsed) {
    std::string why = ReplyProblem(reply, error);
    Unwind(keys, plan);
    return Fallback(keys, why);
  }
  RedisHealthy();
  Count(settings_.limiter_zone, Counter::kLimitRedis);
  LimitVerdict verdict;
  verdict.allowed = parsed->allowed;
  verdict.retry_after_ms = parsed->retry_after_ms;
  // Leases and denials under limits that changed meanwhile are not kept.
  if (plan.generation != limit_cache_.generation()) return verdict;
  if (parsed->allowed) {
    for (std::size_t i = 0; i < plan.ask.size(); i++) {
      const core::LimitCache::Ask& ask = plan.ask[i];
      limit_cache_.Granted(keys[ask.index], parsed->grants[i], /*spent_one=*/true, ask.lease,
                           now_ms);
    }
    return verdict;
  }
  for (std::size_t index : plan.reserved) limit_cache_.Refund(keys[index].key, now_ms);
  for (std::size_t i = 0; i < plan.ask.size(); i++) {
    const core::LimitCache::Ask& ask = plan.ask[i];
    if (i == parsed->refused_index) {
      limit_cache_.Denied(keys[ask.index].key, parsed->retry_after_ms, ask.lease, now_ms);
    } else {
      limit_cache_.AskFailed(keys[ask.index].key, ask.lease);
    }
  }
  return verdict;
}

void Runtime::CancelLimit(RedisClient::Pending* pending) {
  if (redis_ && pending != nullptr) redis_->Cancel(pending);
}

}  // namespace edgechat::ngx
