#include "ngx_edgechat_redis.hpp"

#include <algorithm>

namespace edgechat::ngx {

struct RedisClient::Pending {
  RedisClient* client = nullptr;
  ReplyFn callback;
  ngx_event_t timer{};
  bool finished = false;   // the callback ran, or the command timed out
  bool cancelled = false;  // the caller no longer wants the reply
  std::list<Pending>::iterator self;
};

namespace {

constexpr ngx_msec_t kFirstBackoffMs = 500;
constexpr ngx_msec_t kMaxBackoffMs = 10000;

}  // namespace

RedisClient::RedisClient(RedisEndpoint endpoint, shared::RedisCredentials credentials,
                         ngx_msec_t command_timeout, ngx_log_t* log)
    : endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      command_timeout_(command_timeout),
      log_(log) {
  reconnect_timer_.handler = OnReconnectTimer;
  reconnect_timer_.data = this;
  reconnect_timer_.log = log_;
  reconnect_timer_.cancelable = 1;  // never holds up a graceful shutdown
}

RedisClient::~RedisClient() {
  Shutdown();
}

void RedisClient::Start() {
  shutting_down_ = false;
  Connect();
}

void RedisClient::Shutdown() {
  shutting_down_ = true;
  ready_ = false;
  if (reconnect_timer_.timer_set) ngx_del_timer(&reconnect_timer_);
  if (context_ != nullptr) {
    redisAsyncContext* context = context_;
    context_ = nullptr;
    redisAsyncFree(context);  // pending commands are flushed (not delivered: shutting down)
  }
}

void RedisClient::Connect() {
  if (shutting_down_ || context_ != nullptr) return;
  redisAsyncContext* context = endpoint_.unix_path.empty()
                                   ? redisAsyncConnect(endpoint_.host.c_str(), endpoint_.port)
                                   : redisAsyncConnectUnix(endpoint_.unix_path.c_str());
  if (context == nullptr) {
    ScheduleReconnect();
    return;
  }
  if (context->err != 0) {
    Lost(context->errstr);
    redisAsyncFree(context);
    ScheduleReconnect();
    return;
  }
  context->data = this;
  context_ = context;
  Attach();
  if (connection_ == nullptr) {
    context_ = nullptr;
    redisAsyncFree(context);
    Lost("no free nginx connection for Redis (raise worker_connections)");
    ScheduleReconnect();
    return;
  }
  redisAsyncSetConnectCallback(context, OnConnect);
  redisAsyncSetDisconnectCallback(context, OnDisconnect);
  // hiredis queues commands until the socket is writable, so AUTH (or, without credentials, the
  // hook's commands) can be sent right away; AUTH is first on the wire.
  ready_ = false;
  if (credentials_.enabled()) {
    Authenticate();
  } else {
    Ready();
  }
}

void RedisClient::Authenticate() {
  auto on_reply = [this](const redisReply* reply, std::string_view) {
    // No reply: the connection broke or timed out, already handled (and logged) as Redis down.
    if (reply == nullptr) return;
    if (reply->type == REDIS_REPLY_STATUS) {
      logged_auth_ = false;
      Healthy();
      Ready();
      return;
    }
    AuthRefused(reply->type == REDIS_REPLY_ERROR ? std::string_view(reply->str, reply->len)
                                                 : std::string_view("unexpected reply to AUTH"));
  };
  if (Send(credentials_.AuthCommand(), std::move(on_reply)) == nullptr) {
    Reset("cannot queue AUTH");
  }
}

void RedisClient::Ready() {
  ready_ = true;
  if (on_connect_) {
    try {
      on_connect_();
    } catch (...) {
      ngx_log_error(NGX_LOG_ERR, log_, 0, "edgechat: Redis on-connect hook failed");
    }
  }
}

void RedisClient::AuthRefused(std::string_view why) {
  Note(Event::kConnectionError);
  if (!logged_auth_ && !shutting_down_) {
    logged_auth_ = true;
    logged_down_ = true;  // "is back" is logged once a connection is accepted again
    NoThrow(log_, "Redis log", [&] {
      // Redis's error text never holds the password, but mask it should a proxy echo it.
      std::string text = shared::RedactSecret(why, credentials_.password);
      std::string where = endpoint_.Describe();
      std::string who = !credentials_.enabled()     ? std::string("without credentials")
                        : credentials_.user.empty() ? std::string("as the default user")
                                                    : "as user \"" + credentials_.user + "\"";
      const char* hint = credentials_.enabled()
                             ? "check edgechat_redis_user and edgechat_redis_password_file"
                             : "set edgechat_redis_password_file";
      ngx_log_error(NGX_LOG_ERR, log_, 0,
                    "edgechat: Redis at %s refused authentication %s (%s; %s); limiting per host "
                    "and retrying with backoff",
                    where.c_str(), who.c_str(), text.c_str(), hint);
    });
  }
  if (context_ == nullptr) return;
  redisAsyncContext* context = context_;
  context_ = nullptr;
  ready_ = false;
  redisAsyncFree(context);  // called from a reply callback: hiredis frees it when that returns
  ScheduleReconnect();
}

void RedisClient::Healthy() {
  backoff_ms_ = 0;
  if (!logged_down_) return;
  logged_down_ = false;
  NoThrow(log_, "Redis log", [this] {
    std::string where = endpoint_.Describe();
    ngx_log_error(NGX_LOG_NOTICE, log_, 0, "edgechat: Redis at %s is back", where.c_str());
  });
}

void RedisClient::Attach() {
  ngx_connection_t* connection = ngx_get_connection(context_->c.fd, log_);
  if (connection == nullptr) return;
  connection->data = this;
  connection->log = log_;
  connection->read->log = log_;
  connection->write->log = log_;
  connection->read->handler = OnReadable;
  connection->write->handler = OnWritable;
  connection_ = connection;

  context_->ev.data = this;
  context_->ev.addRead = AddRead;
  context_->ev.delRead = DelRead;
  context_->ev.addWrite = AddWrite;
  context_->ev.delWrite = DelWrite;
  context_->ev.cleanup = Cleanup;
}

// Level-triggered on purpose: hiredis reads one buffer per call and relies on being called again
// while data remains.
void RedisClient::AddRead(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  ngx_event_t* event = self->connection_ ? self->connection_->read : nullptr;
  if (event != nullptr && !event->active) ngx_add_event(event, NGX_READ_EVENT, NGX_LEVEL_EVENT);
}

void RedisClient::DelRead(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  ngx_event_t* event = self->connection_ ? self->connection_->read : nullptr;
  if (event != nullptr && event->active) ngx_del_event(event, NGX_READ_EVENT, 0);
}

void RedisClient::AddWrite(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  ngx_event_t* event = self->connection_ ? self->connection_->write : nullptr;
  if (event != nullptr && !event->active) ngx_add_event(event, NGX_WRITE_EVENT, NGX_LEVEL_EVENT);
}

void RedisClient::DelWrite(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  ngx_event_t* event = self->connection_ ? self->connection_->write : nullptr;
  if (event != nullptr && event->active) ngx_del_event(event, NGX_WRITE_EVENT, 0);
}

// hiredis is about to close the socket: detach it from nginx without closing it ourselves.
void RedisClient::Cleanup(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  ngx_connection_t* connection = self->connection_;
  if (connection == nullptr) return;
  if (connection->read->active) ngx_del_event(connection->read, NGX_READ_EVENT, 0);
  if (connection->write->active) ngx_del_event(connection->write, NGX_WRITE_EVENT, 0);
  // ngx_delete_posted_event is a multi-statement macro: keep the braces.
  if (connection->read->posted) {
    ngx_delete_posted_event(connection->read);
  }
  if (connection->write->posted) {
    ngx_delete_posted_event(connection->write);
  }
  ngx_free_connection(connection);
  // hiredis closes the socket itself; mark the slot closed so nginx does not report it as leaked.
  connection->fd = static_cast<ngx_socket_t>(-1);
  self->connection_ = nullptr;
}

void RedisClient::OnReadable(ngx_event_t* event) {
  auto* connection = static_cast<ngx_connection_t*>(event->data);
  auto* self = static_cast<RedisClient*>(connection->data);
  // May free the context (and the connection, through Cleanup): touch nothing afterwards.
  if (self->context_ != nullptr) redisAsyncHandleRead(self->context_);
}

void RedisClient::OnWritable(ngx_event_t* event) {
  auto* connection = static_cast<ngx_connection_t*>(event->data);
  auto* self = static_cast<RedisClient*>(connection->data);
  if (self->context_ != nullptr) redisAsyncHandleWrite(self->context_);
}

void RedisClient::OnConnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (status == REDIS_OK) return;
  // hiredis frees the context after this callback.
  if (self->context_ == context) {
    self->context_ = nullptr;
    NoThrow(self->log_, "Redis connect callback", [&] { self->Lost(context->errstr); });
    self->ScheduleReconnect();
  }
}

void RedisClient::OnDisconnect(const redisAsyncContext* context, int) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (self->context_ == context) {
    self->context_ = nullptr;
    NoThrow(self->log_, "Redis disconnect callback",
            [&] { self->Lost(context->err != 0 ? context->errstr : "connection closed"); });
    self->ScheduleReconnect();
  }
}

void RedisClient::Lost(std::string_view why) {
  if (shutting_down_) return;
  if (!in_reset_) Note(Event::kConnectionError);  // Reset counted it already
  if (logged_down_) return;
  logged_down_ = true;
  NoThrow(log_, "Redis log", [&] {
    std::string text(why);
    std::string where = endpoint_.Describe();
    ngx_log_error(NGX_LOG_WARN, log_, 0,
                  "edgechat: Redis at %s unavailable (%s); retrying with backoff", where.c_str(),
                  text.c_str());
  });
}

void RedisClient::ScheduleReconnect() {
  if (shutting_down_ || ngx_exiting || ngx_quit || ngx_terminate) return;
  if (reconnect_timer_.timer_set) return;
  backoff_ms_ = backoff_ms_ == 0 ? kFirstBackoffMs : std::min(backoff_ms_ * 2, kMaxBackoffMs);
  // +-25% jitter so the workers of many hosts do not reconnect in lockstep.
  ngx_msec_t delay = backoff_ms_ * (75 + static_cast<ngx_msec_t>(ngx_random() % 51)) / 100;
  ngx_add_timer(&reconnect_timer_, delay);
}

void RedisClient::OnReconnectTimer(ngx_event_t* event) {
  auto* self = static_cast<RedisClient*>(event->data);
  NoThrow(self->log_, "Redis reconnect", [self] { self->Connect(); });
}

void RedisClient::Reset(std::string_view why) {
  if (context_ == nullptr) return;
  redisAsyncContext* context = context_;
  Lost(why);
  in_reset_ = true;
  redisAsyncFree(context);  // pending commands fail; may run OnDisconnect
  in_reset_ = false;
  if (context_ == context) {
    context_ = nullptr;
    ScheduleReconnect();
  }
}

RedisClient::Pending* RedisClient::Command(const std::vector<std::string_view>& args,
                                           ReplyFn callback) {
  if (!ready_) return nullptr;
  return Send(args, std::move(callback));
}

RedisClient::Pending* RedisClient::Send(const std::vector<std::string_view>& args,
                                        ReplyFn callback) {
  if (context_ == nullptr || shutting_down_ || args.empty()) return nullptr;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (std::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  Pending& pending = pending_.emplace_back();
  pending.self = std::prev(pending_.end());
  pending.client = this;
  pending.callback = std::move(callback);
  if (redisAsyncCommandArgv(context_, OnReply, &pending, static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    pending_.erase(pending.self);
    return nullptr;
  }
  pending.timer.handler = OnCommandTimeout;
  pending.timer.data = &pending;
  pending.timer.log = log_;
  // Not cancelable: a graceful shutdown waits (at most the timeout) for requests that wait on it.
  pending.timer.cancelable = 0;
  ngx_add_timer(&pending.timer, command_timeout_);
  return &pending;
}

void RedisClient::Cancel(Pending* pending) {
  pending->cancelled = true;
  pending->callback = nullptr;
}

void RedisClient::OnReply(redisAsyncContext*, void* reply, void* data) {
  auto* pending = static_cast<Pending*>(data);
  RedisClient* self = pending->client;
  if (pending->timer.timer_set) ngx_del_timer(&pending->timer);
  bool deliver = !pending->finished && !pending->cancelled && !self->shutting_down_;
  bool timed_out = pending->finished;  // OnCommandTimeout counted it already
  pending->finished = true;
  ReplyFn callback = deliver ? std::move(pending->callback) : nullptr;
  self->pending_.erase(pending->self);

  auto* typed = static_cast<const redisReply*>(reply);
  if (!self->shutting_down_ && !timed_out) {
    self->Note(typed == nullptr || typed->type == REDIS_REPLY_ERROR ? Event::kCommandError
                                                                    : Event::kRoundTrip);
  }
  // A Redis that wants AUTH we did not send (or forgot it, e.g. after a password change and a
  // restart) answers every command with NOAUTH: that is Redis down for us, not a reply.
  bool noauth = typed != nullptr && typed->type == REDIS_REPLY_ERROR &&
                std::string_view(typed->str, typed->len).starts_with("NOAUTH");
  // Replies before AUTH was accepted (AUTH's own) prove nothing about the connection.
  if (typed != nullptr && self->ready_ && !noauth) self->Healthy();
  if (callback) {
    try {
      callback(typed, reply ? "" : "connection lost");
    } catch (...) {
      ngx_log_error(NGX_LOG_ERR, self->log_, 0, "edgechat: Redis reply handler failed");
    }
  }
  if (noauth) {
    NoThrow(self->log_, "Redis auth",
            [&] { self->AuthRefused(std::string_view(typed->str, typed->len)); });
  }
}

void RedisClient::OnCommandTimeout(ngx_event_t* event) {
  auto* pending = static_cast<Pending*>(event->data);
  RedisClient* self = pending->client;
  bool deliver = !pending->finished && !pending->cancelled;
  pending->finished = true;
  ReplyFn callback = deliver ? std::move(pending->callback) : nullptr;
  self->Note(Event::kCommandError);
  // A command that outlives its timeout means the connection is stuck or Redis is overloaded:
  // drop it (every pending command fails over to its fallback) and reconnect with backoff.
  // `pending` is freed by Reset.
  NoThrow(self->log_, "Redis reset", [self] { self->Reset("command timed out"); });
  if (callback) {
    try {
      callback(nullptr, "timeout");
    } catch (...) {
      ngx_log_error(NGX_LOG_ERR, self->log_, 0, "edgechat: Redis timeout handler failed");
    }
  }
}

}  // namespace edgechat::ngx
