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
  return Error{"redis_unavailable", "Redis " + settings_.Describe() + " unreachable: " + reason};
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
  return Ok{};
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  if (auto connected = Connect(); !connected) return connected.error();
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  std::unique_ptr<void, ReplyDeleter> reply(
      redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lens.data()));
  if (!reply) return Fail("command failed");
  auto* r = static_cast<redisReply*>(reply.get());
  if (r->type == REDIS_REPLY_ERROR) {
    return Error{"redis_error", "Redis: " + std::string(r->str, r->len)};
  }
  return Convert(r);
}

Result<RedisReply> RedisClient::ReadPush(int timeout_ms) {
  if (context_ == nullptr) return Error{"redis_unavailable", "not connected"};
  void* raw = nullptr;
  // A reply may already sit in the reader's buffer (several arrived in one read).
  if (redisReaderGetReply(context_->reader, &raw) != REDIS_OK) return Fail("protocol error");
  if (raw == nullptr) {
    // Wait with poll() rather than a socket timeout: a timed-out hiredis read leaves the context
    // unusable, and a quiet channel is normal.
    pollfd pfd{context_->fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready <= 0) return Error{"timeout", "no message"};
    if (redisBufferRead(context_) != REDIS_OK) return Fail("read failed");
    if (redisReaderGetReply(context_->reader, &raw) != REDIS_OK) return Fail("protocol error");
    if (raw == nullptr) return Error{"timeout", "partial message"};
  }
  std::unique_ptr<void, ReplyDeleter> reply(raw);
  return Convert(static_cast<redisReply*>(raw));
}

}  // namespace edgechat::worker
