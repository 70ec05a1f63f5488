#include "registry/redis_client.hpp"

#include <hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <cerrno>

namespace edgechat::worker {
namespace {

timeval ToTimeval(unsigned ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.kind = RedisReply::Kind::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.kind = RedisReply::Kind::kStatus;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::kArray;
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.kind = RedisReply::Kind::kNil;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(void* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<void, ReplyDeleter>;

// One command, arguments binary-safe; nullptr when the connection failed.
template <typename Args>
ReplyPtr SendArgv(redisContext* context, const Args& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return ReplyPtr(
      redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lens.data()));
}

}  // namespace

RedisClient::RedisClient(RedisSettings settings) : settings_(std::move(settings)) {}

RedisClient::~RedisClient() {
  Disconnect();
}

void RedisClient::Disconnect() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

Error RedisClient::Fail(const std::string& what) {
  std::string reason = context_ != nullptr && context_->errstr[0] != '\0' ? context_->errstr : what;
  Disconnect();
  return Error{ErrorKind::kUnavailable, "redis_unavailable",
               "Redis " + settings_.Describe() + " unreachable: " + reason};
}

Status RedisClient::Connect() {
  if (context_ != nullptr) return Ok{};
  timeval tv = ToTimeval(settings_.timeout_ms);
  context_ = settings_.socket.empty()
                 ? redisConnectWithTimeout(settings_.host.c_str(), settings_.port, tv)
                 : redisConnectUnixWithTimeout(settings_.socket.c_str(), tv);
  if (context_ == nullptr) return Fail("cannot allocate a connection");
  if (context_->err != 0) return Fail("connect failed");
  if (redisSetTimeout(context_, tv) != REDIS_OK) return Fail("cannot set timeout");
  return Authenticate();
}

// Every connection of the worker and the CLI (publisher, subscriber, registry, edgechatctl) comes
// through Connect(): AUTH goes first on each, before any other command.
Status RedisClient::Authenticate() {
  const shared::RedisCredentials& credentials = settings_.credentials;
  if (!credentials.enabled()) return Ok{};
  ReplyPtr reply = SendArgv(context_, credentials.AuthCommand());
  if (!reply) return Fail("AUTH got no answer");
  auto* r = static_cast<redisReply*>(reply.get());
  if (r->type == REDIS_REPLY_STATUS) return Ok{};
  // Redis's error text never holds the password; mask it anyway should something echo it.
  std::string why =
      r->type == REDIS_REPLY_ERROR
          ? shared::RedactSecret(std::string_view(r->str, r->len), credentials.password)
          : std::string("unexpected reply");
  Disconnect();
  std::string who =
      credentials.user.empty() ? "the default user" : "user \"" + credentials.user + "\"";
  return Error{ErrorKind::kUnavailable, "redis_unavailable",
               "Redis " + settings_.Describe() + " refused authentication as " + who + ": " + why +
                   " (check redis.user and redis.password_file)"};
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  if (auto connected = Connect(); !connected) return connected.error();
  ReplyPtr reply = SendArgv(context_, args);
  if (!reply) return Fail("command failed");
  auto* r = static_cast<redisReply*>(reply.get());
  if (r->type == REDIS_REPLY_ERROR) {
    std::string_view error(r->str, r->len);
    // Redis wants AUTH and we have no credentials: as unreachable as a refused password.
    if (error.starts_with("NOAUTH")) {
      Disconnect();
      return Error{ErrorKind::kUnavailable, "redis_unavailable",
                   "Redis " + settings_.Describe() + " requires authentication (" +
                       std::string(error) + "): set redis.password_file (and redis.user)"};
    }
    return Error{ErrorKind::kInternal, "redis_error", "Redis: " + std::string(error)};
  }
  return Convert(r);
}

Result<RedisReply> RedisClient::ReadPush(int timeout_ms) {
  if (context_ == nullptr)
    return Error{ErrorKind::kUnavailable, "redis_unavailable", "not connected"};
  void* raw = nullptr;
  // A reply may already sit in the reader's buffer (several arrived in one read).
  if (redisReaderGetReply(context_->reader, &raw) != REDIS_OK) return Fail("protocol error");
  if (raw == nullptr) {
    // Wait with poll() rather than a socket timeout: a timed-out hiredis read leaves the context
    // unusable, and a quiet channel is normal.
    pollfd pfd{context_->fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready <= 0) return Error{ErrorKind::kUnavailable, "timeout", "no message"};
    if (redisBufferRead(context_) != REDIS_OK) return Fail("read failed");
    if (redisReaderGetReply(context_->reader, &raw) != REDIS_OK) return Fail("protocol error");
    if (raw == nullptr) return Error{ErrorKind::kUnavailable, "timeout", "partial message"};
  }
  ReplyPtr reply(raw);
  return Convert(static_cast<redisReply*>(raw));
}

}  // namespace edgechat::worker
