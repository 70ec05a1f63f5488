// Live event streams of guests (server-sent events). MySQL is the source of truth: a stream sends
// a notice as it came only when the notice's prev_id is exactly the last id the stream sent (the
// common case: no query at all); otherwise (a notice out of order, lost, or a stream resuming) it
// reads the events after its last id from MySQL. So streams resume without gaps or duplicates, in
// commit order, whichever worker wrote the event and in whatever order notices arrive. The data
// waiting for a stream is bounded by one query page; a reader that cannot keep up is dropped by the
// server's write timeout and resumes with Last-Event-ID.
#pragma once

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "http/stream.hpp"
#include "store/chat_store.hpp"
#include "store/events.hpp"

namespace edgechat::worker {

class EventHub;

struct StreamOptions {
  std::chrono::seconds heartbeat{15};
  unsigned page = 256;  // events read from MySQL per wake-up
};

class GuestStream : public StreamSource, public std::enable_shared_from_this<GuestStream> {
 public:
  GuestStream(EventHub& hub, ChatStore& store, boost::asio::thread_pool& blocking,
              std::uint64_t guest_id, std::optional<std::uint64_t> last_event_id,
              StreamOptions options);

  boost::asio::awaitable<std::optional<std::string>> Next() override;
  // In-sequence notices go out as the very buffers Deliver() formatted, shared by every stream
  // of the guest; only a read from MySQL formats anything here.
  boost::asio::awaitable<bool> NextFrames(std::vector<SharedFrame>& out) override;
  void Close() override;

  // Any thread. A notice in sequence is sent as is; anything else makes the stream read MySQL.
  struct Offered {
    std::uint64_t id = 0;
    std::uint64_t prev_id = 0;
    SharedFrame sse;  // formatted once for every stream of the guest
  };
  void Offer(const Offered& offered);
  void MarkDirty();
  void Shutdown();
  std::uint64_t guest_id() const { return guest_id_; }

 private:
  // A suspended Next() waiting for work; resumed by Wake() on the stream's executor.
  struct Waiter {
    virtual ~Waiter() = default;
    virtual void Resume(const boost::asio::any_io_executor& executor) = 0;
  };
  template <typename Handler>
  struct WaiterFor;

  void Wake();
  bool HasWorkLocked() const;
  boost::asio::awaitable<void> WaitForWork();
  void ArmHeartbeat();

  EventHub& hub_;
  ChatStore& store_;
  boost::asio::thread_pool& blocking_;
  const std::uint64_t guest_id_;
  const StreamOptions options_;

  std::mutex mu_;
  std::deque<Offered> offered_;  // bounded by options_.page; overflow -> dirty_
  bool dirty_ = true;
  bool shutdown_ = false;
  bool closed_ = false;
  bool heartbeat_due_ = false;
  std::optional<boost::asio::any_io_executor> executor_;
  // Set while Next() waits: the first Wake() of a burst resumes it directly (one posted
  // handler, no timer to cancel and re-arm); later ones find it gone and only queue their notice.
  std::unique_ptr<Waiter> waiter_;

  // Touched only on the connection's executor.
  bool started_ = false;
  std::optional<std::uint64_t> last_sent_;
  // Fires every options_.heartbeat on its own; it only marks heartbeat_due_ and wakes Next().
  std::optional<boost::asio::steady_timer> heartbeat_;
};

class EventHub {
 public:
  EventHub(ChatStore& store, boost::asio::thread_pool& blocking, StreamOptions options)
      : store_(store), blocking_(blocking), options_(options) {}

  // A new stream for the guest, registered before it reads anything (no notice is missed).
  std::shared_ptr<GuestStream> Open(std::uint64_t guest_id,
                                    std::optional<std::uint64_t> last_event_id);
  void Unregister(GuestStream* stream);

  // A committed event: wake the streams of its guest.
  void Deliver(const EventNotice& notice);
  // Wake every stream (after a Redis outage: notices from other workers may have been lost).
  void ResyncAll();
  // Ends every stream; clients reconnect (the stream started with `retry:`).
  void ShutdownAll();
  std::size_t size() const;

 private:
  ChatStore& store_;
  boost::asio::thread_pool& blocking_;
  StreamOptions options_;
  mutable std::mutex mu_;
  std::multimap<std::uint64_t, std::weak_ptr<GuestStream>> streams_;
};

// The worker's publisher: local hub first (same-worker delivery works without Redis), then the
// Redis relay for the other workers.
class HubPublisher : public EventPublisher {
 public:
  HubPublisher(EventHub& hub, EventPublisher* relay) : hub_(hub), relay_(relay) {}
  void Publish(const EventNotice& notice) override {
    hub_.Deliver(notice);
    if (relay_ != nullptr) relay_->Publish(notice);
  }

 private:
  EventHub& hub_;
  EventPublisher* relay_;
};

}  // namespace edgechat::worker
