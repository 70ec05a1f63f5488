#include "events/hub.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log/log.hpp"

namespace edgechat::worker {

namespace net = boost::asio;

namespace {

// Runs a blocking store call on the blocking pool and resumes on the caller's executor.
template <typename Fn>
auto OnPool(net::thread_pool& pool, Fn fn) -> net::awaitable<std::optional<decltype(fn())>> {
  using R = std::optional<decltype(fn())>;
  co_return co_await net::co_spawn(
      pool, [fn = std::move(fn)]() mutable -> net::awaitable<R> { co_return R(fn()); },
      net::use_awaitable);
}

}  // namespace

GuestStream::GuestStream(EventHub& hub, ChatStore& store, net::thread_pool& blocking,
                         std::uint64_t guest_id, std::optional<std::uint64_t> last_event_id,
                         StreamOptions options)
    : hub_(hub),
      store_(store),
      blocking_(blocking),
      guest_id_(guest_id),
      options_(options),
      last_sent_(last_event_id) {}

template <typename Handler>
struct GuestStream::WaiterFor : GuestStream::Waiter {
  explicit WaiterFor(Handler h) : handler(std::move(h)) {}
  void Resume(const net::any_io_executor& executor) override {
    net::post(executor, std::move(handler));
  }
  Handler handler;
};

void GuestStream::Wake() {
  // Called with mu_ held. WaitForWork() checks for work and parks its handler under mu_ too, so
  // a notice is either seen by that check or finds the handler here.
  if (waiter_ && executor_) {
    std::unique_ptr<Waiter> waiter = std::move(waiter_);
    waiter->Resume(*executor_);
  }
}

bool GuestStream::HasWorkLocked() const {
  return closed_ || shutdown_ || dirty_ || heartbeat_due_ || !offered_.empty();
}

net::awaitable<void> GuestStream::WaitForWork() {
  co_await net::async_initiate<decltype(net::use_awaitable), void()>(
      [this](auto handler) {
        std::lock_guard lock(mu_);
        if (HasWorkLocked()) {  // executor_ is set before the first wait
          net::post(*executor_, std::move(handler));
        } else {
          waiter_ = std::make_unique<WaiterFor<decltype(handler)>>(std::move(handler));
        }
      },
      net::use_awaitable);
}

void GuestStream::ArmHeartbeat() {
  // On the stream's executor. The pending wait keeps the stream alive; Close() cancels it.
  heartbeat_->expires_after(options_.heartbeat);
  heartbeat_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    {
      std::lock_guard lock(self->mu_);
      if (self->closed_ || self->shutdown_) return;
      self->heartbeat_due_ = true;
      self->Wake();
    }
    self->ArmHeartbeat();
  });
}

void GuestStream::Offer(const Offered& notice) {
  std::lock_guard lock(mu_);
  if (offered_.size() >= options_.page) {
    offered_.clear();
    dirty_ = true;
  } else {
    offered_.push_back(notice);
  }
  Wake();
}

void GuestStream::MarkDirty() {
  std::lock_guard lock(mu_);
  dirty_ = true;
  Wake();
}

void GuestStream::Shutdown() {
  std::lock_guard lock(mu_);
  shutdown_ = true;
  Wake();
}

void GuestStream::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    Wake();  // the client is gone: end a waiting Next() now, not at the next heartbeat
    if (executor_) {
      net::post(*executor_, [self = shared_from_this()] {
        if (self->heartbeat_) self->heartbeat_->cancel();
      });
    }
  }
  hub_.Unregister(this);
}

net::awaitable<std::optional<std::string>> GuestStream::Next() {
  std::vector<SharedFrame> frames;
  if (!co_await NextFrames(frames)) co_return std::nullopt;
  std::string text;
  for (const auto& frame : frames) text += *frame;
  co_return text;
}

net::awaitable<bool> GuestStream::NextFrames(std::vector<SharedFrame>& out) {
  if (!started_) {
    started_ = true;
    auto executor = co_await net::this_coro::executor;
    heartbeat_.emplace(executor);
    {
      std::lock_guard lock(mu_);
      executor_ = executor;
    }
    ArmHeartbeat();
    if (!last_sent_) {
      // No Last-Event-ID: start after the newest event (the client loaded the history).
      auto last = co_await OnPool(blocking_, [this] { return store_.LastEventId(guest_id_); });
      if (!last || !last->ok()) co_return false;
      last_sent_ = last->value();
    }
    out.push_back(std::make_shared<const std::string>("retry: 2000\n\n"));
    co_return true;
  }
  for (;;) {
    bool dirty;
    {
      std::lock_guard lock(mu_);
      if (closed_ || shutdown_) {
        heartbeat_->cancel();
        co_return false;
      }
      if (!dirty_) {
        // Send offered notices that continue exactly where this stream stands.
        while (!offered_.empty()) {
          Offered& n = offered_.front();
          if (n.id <= *last_sent_) {
            offered_.pop_front();  // already sent (a duplicate notice)
          } else if (n.prev_id == *last_sent_) {
            out.push_back(std::move(n.sse));
            last_sent_ = n.id;
            offered_.pop_front();
          } else {
            dirty_ = true;  // a gap: an earlier event has not been seen here yet
            break;
          }
        }
      }
      if (dirty_) offered_.clear();
      dirty = dirty_;
      dirty_ = false;
      if (heartbeat_due_ && out.empty() && !dirty) {
        out.push_back(std::make_shared<const std::string>(": heartbeat\n\n"));
      }
      heartbeat_due_ = false;  // anything sent now keeps the connection warm as well
    }
    if (!out.empty() && !dirty) co_return true;
    if (dirty) {
      std::uint64_t after = *last_sent_;
      auto events = co_await OnPool(
          blocking_, [this, after] { return store_.EventsAfter(guest_id_, after, options_.page); });
      if (!events || !events->ok()) co_return false;  // database gone: client retries
      const auto& list = events->value();
      if (list.size() == options_.page) {
        std::lock_guard lock(mu_);
        dirty_ = true;  // more to read
      }
      for (const auto& e : list) {
        if (e.id <= *last_sent_) continue;
        out.push_back(std::make_shared<const std::string>(FormatSse(e)));
        last_sent_ = e.id;
      }
      if (!out.empty()) co_return true;
      continue;
    }
    co_await WaitForWork();
  }
}

std::shared_ptr<GuestStream> EventHub::Open(std::uint64_t guest_id,
                                            std::optional<std::uint64_t> last_event_id) {
  auto stream =
      std::make_shared<GuestStream>(*this, store_, blocking_, guest_id, last_event_id, options_);
  std::lock_guard lock(mu_);
  streams_.emplace(guest_id, stream);
  return stream;
}

void EventHub::Unregister(GuestStream* stream) {
  std::lock_guard lock(mu_);
  auto [begin, end] = streams_.equal_range(stream->guest_id());
  for (auto it = begin; it != end; ++it) {
    auto s = it->second.lock();
    if (!s || s.get() == stream) {
      streams_.erase(it);
      return;
    }
  }
}

void EventHub::Deliver(const EventNotice& notice) {
  std::vector<std::shared_ptr<GuestStream>> targets;
  {
    std::lock_guard lock(mu_);
    auto [begin, end] = streams_.equal_range(notice.guest_id);
    for (auto it = begin; it != end; ++it)
      if (auto s = it->second.lock()) targets.push_back(std::move(s));
  }
  if (targets.empty()) return;
  GuestStream::Offered offered{notice.id, notice.prev_id,
                               std::make_shared<const std::string>(FormatSse(notice))};
  for (auto& s : targets) s->Offer(offered);
}

void EventHub::ResyncAll() {
  std::vector<std::shared_ptr<GuestStream>> targets;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, weak] : streams_)
      if (auto s = weak.lock()) targets.push_back(std::move(s));
  }
  LogInfo("events", "resyncing " + std::to_string(targets.size()) + " streams from MySQL");
  for (auto& s : targets) s->MarkDirty();
}

void EventHub::ShutdownAll() {
  std::vector<std::shared_ptr<GuestStream>> targets;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, weak] : streams_)
      if (auto s = weak.lock()) targets.push_back(std::move(s));
  }
  for (auto& s : targets) s->Shutdown();
}

std::size_t EventHub::size() const {
  std::lock_guard lock(mu_);
  return streams_.size();
}

}  // namespace edgechat::worker
