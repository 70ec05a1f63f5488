// An asynchronous Redis client living in an nginx worker's event loop: hiredis's async API with
// an nginx adapter (the socket is wrapped in an ngx_connection_t), command timeouts on nginx
// timers, and reconnection with jittered exponential backoff. Never blocks.
#pragma once

#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <vector>

#include "ngx_edgechat_glue.hpp"
#include "shared/redis_auth.hpp"
#include "shared/redis_endpoint.hpp"
#include "shared/result.hpp"

extern "C" {
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
}

namespace edgechat::ngx {

using shared::ParseRedisEndpoint;
using shared::RedisEndpoint;

class RedisClient {
 public:
  // reply is nullptr when the command failed (timeout, disconnect); error then says why.
  // A Redis error reply arrives as a reply of type REDIS_REPLY_ERROR.
  using ReplyFn = std::function<void(const redisReply* reply, std::string_view error)>;

  struct Pending;  // one command in flight; opaque to callers

  // With credentials, every (re)connection sends AUTH before anything else and is usable only
  // once Redis accepted it.
  RedisClient(RedisEndpoint endpoint, shared::RedisCredentials credentials,
              ngx_msec_t command_timeout, ngx_log_t* log);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Starts connecting; reconnects by itself from then on.
  void Start();
  // Closes the connection and stops reconnecting (worker exit). Pending callbacks get errors.
  void Shutdown();

  // True while a connection exists and is authenticated (it may still be completing its TCP
  // handshake; commands are queued by hiredis until then).
  bool connected() const { return context_ != nullptr && ready_; }

  // Sends a command. On success the callback runs exactly once, later, unless Cancel()ed; returns
  // nullptr (and never calls back) when there is no connection or the command could not be queued.
  Pending* Command(const std::vector<std::string_view>& args, ReplyFn callback);

  // The callback of this command will not run. Safe until the callback has run.
  void Cancel(Pending* pending);

  // Called after each (re)connection (after AUTH succeeded), e.g. to load scripts.
  void set_on_connect(std::function<void()> fn) { on_connect_ = std::move(fn); }

  // What the client saw, for metrics: a command answered, a command failed (timeout, lost
  // connection, error reply) or a connection failed (refused, dropped, AUTH refused).
  enum class Event { kRoundTrip, kCommandError, kConnectionError };
  // Called for each event; must not throw or call back into the client.
  void set_on_event(void (*fn)(void* data, Event event), void* data) {
    on_event_ = fn;
    on_event_data_ = data;
  }

 private:
  static void AddRead(void* data);
  static void DelRead(void* data);
  static void AddWrite(void* data);
  static void DelWrite(void* data);
  static void Cleanup(void* data);
  static void OnConnect(const redisAsyncContext* context, int status);
  static void OnDisconnect(const redisAsyncContext* context, int status);
  static void OnReply(redisAsyncContext* context, void* reply, void* data);
  static void OnReadable(ngx_event_t* event);
  static void OnWritable(ngx_event_t* event);
  static void OnReconnectTimer(ngx_event_t* event);
  static void OnCommandTimeout(ngx_event_t* event);

  void Connect();
  void Attach();
  // Queues a command whatever the AUTH state (Command() refuses until AUTH succeeded).
  Pending* Send(const std::vector<std::string_view>& args, ReplyFn callback);
  void Authenticate();
  void Ready();
  // AUTH was refused (or Redis wants one we did not send): logged once until a connection is
  // accepted again; the connection is dropped and retried with backoff, as if Redis were down.
  void AuthRefused(std::string_view why);
  void Healthy();
  void Lost(std::string_view why);
  void ScheduleReconnect();
  // Drops a connection that stopped answering; every pending command fails.
  void Reset(std::string_view why);

  RedisEndpoint endpoint_;
  shared::RedisCredentials credentials_;
  ngx_msec_t command_timeout_;
  ngx_log_t* log_;
  redisAsyncContext* context_ = nullptr;
  ngx_connection_t* connection_ = nullptr;
  ngx_event_t reconnect_timer_{};
  ngx_msec_t backoff_ms_ = 0;
  bool shutting_down_ = false;
  bool logged_down_ = false;
  bool ready_ = false;  // AUTH accepted (or none needed) on the current connection
  bool logged_auth_ = false;
  bool in_reset_ = false;  // inside Reset's redisAsyncFree: its OnDisconnect is the same failure
  std::list<Pending> pending_;
  std::function<void()> on_connect_;
  void (*on_event_)(void* data, Event event) = nullptr;
  void* on_event_data_ = nullptr;
  void Note(Event event) {
    if (on_event_ != nullptr) on_event_(on_event_data_, event);
  }
};

}  // namespace edgechat::ngx
