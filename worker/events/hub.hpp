// Live event streams of guests (server-sent events). MySQL is the source of truth: a stream sends
// a notice as it came only when the notice's prev_id is exactly the last id the stream sent (the
// common case: no query at all); otherwise (a notice out of order, lost, or a stream resuming) it
// reads the events after its last id from MySQL. So streams resume without gaps or duplicates, in
// commit order, whichever worker wrote the event and in whatever order notices arrive. The data
// waiting for a stream is bounded by one query page; a reader that cannot keep up is dropped by the
// server's write timeout and resumes with Last-Event-ID.
//
// A notice can still be lost between COMMIT and PUBLISH (a worker killed in between, Redis
// refusing the PUBLISH, a retried clientId answered from the store). So every heartbeat period
// the hub compares the last id of each idle stream with its conversation's newest in MySQL, in
// one batched query for all of them, and the streams that are behind catch up. After a Redis
// reconnect the same check runs for every stream, in batches spread over a jittered window.
#pragma once

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/stream.hpp"
#include "store/event_publisher.hpp"
#include "store/event_repo.hpp"

namespace edgechat::worker {

class EventHub;
struct StreamShard;

// A committed event on its way to the streams of its guest.
struct OfferedEvent {
  std::uint64_t guest_id = 0;
  // 0: an ephemeral event (typing), with no id line, sent as it is and never counted as sent.
  std::uint64_t id = 0;
  std::uint64_t prev_id = 0;
  // Formatted once for every stream of the guest. nullptr for an event known by its ids only (a
  // notice from Redis, whose text is not trusted): a stream behind it reads MySQL.
  SharedFrame sse;
};

struct StreamOptions {
  std::chrono::seconds heartbeat{15};             // also the period of the catch-up check
  unsigned page = 256;                            // events read from MySQL per wake-up
  unsigned max_per_guest = 8;                     // open streams of one guest; Open() refuses more
  std::chrono::milliseconds resync_window{2000};  // ResyncAll() spreads its checks over this
};

// After a Redis reconnect: which guests (a range of the hub's list) are checked when.
struct ResyncBatch {
  std::size_t first = 0;
  std::size_t count = 0;
  std::chrono::milliseconds delay{0};  // after the start of the resync
};
// Splits `guests` into batches of at most `batch`, sized evenly, and gives batch i of n a delay
// drawn from its own slice [i, i+1) * window / n with `unit` (uniform in [0, 1)): evenly spread,
// jittered so that workers reconnecting together do not query in step, in order, all within
// the window. A window of 0 checks everything at once.
std::vector<ResyncBatch> PlanResync(std::size_t guests, std::size_t batch,
                                    std::chrono::milliseconds window,
                                    const std::function<double()>& unit);

// Open streams per guest, shared by the hub and its streams (a stream may outlive the hub when
// the worker exits without draining).
class GuestStreamCounts : public std::enable_shared_from_this<GuestStreamCounts> {
 public:
  // One open stream of a guest, counted until Release() or destruction.
  class Slot {
   public:
    Slot(Slot&&) noexcept = default;
    Slot& operator=(Slot&&) = delete;
    ~Slot() { Release(); }
    void Release();

   private:
    friend class GuestStreamCounts;
    Slot(std::shared_ptr<GuestStreamCounts> counts, std::uint64_t guest)
        : counts_(std::move(counts)), guest_(guest) {}
    std::shared_ptr<GuestStreamCounts> counts_;  // null once released
    std::uint64_t guest_ = 0;
  };

  // A slot for one more stream of `guest`, unless it holds `max` already.
  std::optional<Slot> TryTake(std::uint64_t guest, unsigned max);

 private:
  std::mutex mu_;
  std::unordered_map<std::uint64_t, unsigned> open_;
};

// One guest's event stream. It lives on one event loop (the connection's) and is touched only by
// that loop's thread: the hub reaches it with one handler per loop, never with a lock.
class GuestStream : public StreamSource, public std::enable_shared_from_this<GuestStream> {
 public:
  GuestStream(EventHub& hub, GuestEventLog& store, boost::asio::thread_pool& blocking,
              std::uint64_t guest_id, std::optional<std::uint64_t> last_event_id,
              StreamOptions options, GuestStreamCounts::Slot slot, std::uint64_t site_id = 0);

  boost::asio::awaitable<std::optional<std::string>> Next() override;
  // In-sequence notices go out as the very buffers Deliver() formatted, shared by every stream
  // of the guest; only a read from MySQL formats anything here.
  boost::asio::awaitable<bool> NextFrames(std::vector<SharedFrame>& out) override;
  void AttachSink(StreamSink* sink) override { sink_ = sink; }
  void Close() override;

  std::uint64_t guest_id() const { return guest_id_; }
  std::uint64_t site_id() const { return site_id_; }

 private:
  friend class EventHub;

  // A suspended NextFrames() waiting for work; resumed by Wake() on the stream's loop.
  struct Waiter {
    virtual ~Waiter() = default;
    virtual void Resume(const boost::asio::any_io_executor& executor) = 0;
  };
  template <typename Handler>
  struct WaiterFor;

  // On the stream's loop, from the hub: events of this stream's guest, in commit order as far as
  // this worker saw them. While the writer waits, the ones that continue exactly where the stream
  // stands are written at once through the sink, together (no resume, no copy); anything else
  // is queued, or makes the stream read MySQL. `run` is the caller's scratch space.
  void Offer(std::span<const OfferedEvent> events, std::vector<std::string_view>& run);
  // On the stream's loop, from the hub: an ephemeral frame (no id). Written at once when the
  // stream is idle; otherwise it waits in a single slot (a newer one replaces it) and goes out
  // with the stream's next write. It never changes the stream's last id.
  void OfferEphemeral(const SharedFrame& frame);
  // On the stream's loop, from the hub: the agents' availability (an ephemeral `presence` event)
  // in its own slot, so typing never replaces it; a newer one replaces one still waiting.
  void OfferPresence(const SharedFrame& frame);
  void MarkDirty();
  // The conversation's newest event is `newest`: a stream that has sent less reads MySQL.
  void CatchUpTo(std::uint64_t newest);
  // Waiting for work with nothing queued: only a lost notice could leave it behind.
  bool Idle() const;
  void Shutdown();
  // Writes through the sink while the writer waits; true when the socket took it all. Otherwise
  // the writer must run, to finish the write (flush_pending_) or to end the stream (broken_).
  bool SendDirect(std::span<const std::string_view> frames);

  void Wake();
  bool HasWork() const;
  boost::asio::awaitable<void> WaitForWork();
  void ArmHeartbeat();
  void OnHeartbeat();

  EventHub& hub_;
  GuestEventLog& store_;
  boost::asio::thread_pool& blocking_;
  const std::uint64_t guest_id_;
  const std::uint64_t site_id_;  // whose office hours the stream's presence follows
  const StreamOptions options_;

  // All below: the stream's loop only.
  std::deque<OfferedEvent> offered_;  // bounded by options_.page; overflow -> dirty_
  SharedFrame ephemeral_;             // at most one waiting ephemeral frame
  SharedFrame presence_;              // at most one waiting presence frame
  bool dirty_ = true;
  bool shutdown_ = false;
  bool closed_ = false;
  bool broken_ = false;         // a direct send failed
  bool flush_pending_ = false;  // the sink holds bytes only the writer can finish sending
  bool heartbeat_due_ = false;
  bool started_ = false;
  std::optional<std::uint64_t> last_sent_;
  std::optional<boost::asio::any_io_executor> executor_;
  std::unique_ptr<Waiter> waiter_;  // set while NextFrames() waits
  StreamSink* sink_ = nullptr;
  // Fires every options_.heartbeat on its own.
  std::optional<boost::asio::steady_timer> heartbeat_;
  // Where the hub keeps this stream: its loop's shard and its slot in the guest's list.
  StreamShard* shard_ = nullptr;
  std::size_t slot_ = 0;
  // Counts against the guest's max_per_guest until Close() or destruction, whichever comes first.
  GuestStreamCounts::Slot slot_in_counts_;
};

// Streams of one event loop, by guest, and the events waiting for that loop.
struct StreamShard {
  explicit StreamShard(boost::asio::io_context::executor_type executor_in)
      : executor(executor_in) {}
  boost::asio::io_context::executor_type executor;

  // Any thread. Events queue here; one drain handler is posted per batch, so when the loop falls
  // behind, the events that piled up meanwhile go out to each stream in one write.
  std::mutex inbox_mu;
  std::vector<OfferedEvent> inbox;
  bool drain_posted = false;

  // The loop's thread only.
  std::unordered_map<std::uint64_t, std::vector<GuestStream*>> by_guest;
  std::vector<OfferedEvent> draining;
  std::vector<std::string_view> run;
};

class EventHub {
 public:
  // Uniform in [0, 1): the jitter of a resync. Empty: the hub seeds its own generator.
  using UnitRandom = std::function<double()>;

  // Streams must run on one of `loops` (the server's connection loops).
  EventHub(GuestEventLog& store, boost::asio::thread_pool& blocking, StreamOptions options,
           const std::vector<boost::asio::io_context::executor_type>& loops,
           UnitRandom random = {});

  // A new stream for the guest, or Error{kLimited, "too_many_streams"} when the guest already holds
  // options.max_per_guest streams here (the newest is refused: the open ones keep working). It
  // joins its loop's shard when it starts (before it reads anything, so no notice is missed).
  Result<std::shared_ptr<GuestStream>> Open(std::uint64_t guest_id,
                                            std::optional<std::uint64_t> last_event_id,
                                            std::uint64_t site_id = 0);

  // Starts the catch-up check, every options.heartbeat, on the first loop.
  void Start();
  // One catch-up check: the newest event id of every guest with an idle stream, in batched
  // queries, and the streams that are behind read MySQL. Runs on any of the loops.
  boost::asio::awaitable<void> CatchUpRound();

  // Any thread. A committed event: one handler per loop offers it to the guest's streams there.
  void Deliver(const EventNotice& notice);
  // Any thread. An agent's typing: written to the guest's streams on this worker as an
  // ephemeral event (no id: Last-Event-ID and the catch-up are unaffected). A guest's typing
  // has no guest stream to reach and is ignored here.
  void DeliverTyping(const TypingNotice& notice);
  // Any thread. What visitors see of the agents ("online" or "away"): when it differs from the
  // last one, an ephemeral `presence` event to every stream on this worker; a stream that opens
  // later gets the current one right after its `retry:` line.
  void SetPresence(std::string_view state);
  // Any thread. The sites outside their office hours now, each with its away text: their
  // streams get {"state":"outside_hours","awayText":...} instead of the agents' state (outside
  // hours wins over online agents). Only the streams of sites whose frame changed are told.
  void SetOutsideHours(std::map<std::uint64_t, std::string> away_texts);
  // Any thread. Each site's expected reply time in seconds (service/reply_time.hpp), for the
  // sites where it is known: their online/away frames carry "replySeconds". Only the streams of
  // open sites whose frame changed are told.
  void SetReplyTimes(std::map<std::uint64_t, std::int64_t> reply_seconds);
  // The presence frame a stream of `site_id` should show now (null until the first SetPresence).
  SharedFrame PresenceFrame(std::uint64_t site_id = 0) const;
  // Any thread. An event known only by its ids (a notice from another worker, through Redis): the
  // guest's streams that have not sent `event_id` read MySQL, so whatever the notice said, a
  // stream can only ever send what MySQL holds.
  void Notify(std::uint64_t guest_id, std::uint64_t event_id);
  // Any thread. Every stream is checked against MySQL, and those behind read it (after a Redis
  // outage: notices from other workers may have been lost). Spread over options.resync_window
  // (PlanResync) so thousands of streams do not query at once; a newer resync replaces one still
  // running.
  void ResyncAll();
  // Any thread. Ends every stream; clients reconnect (the stream started with `retry:`).
  void ShutdownAll();
  std::size_t size() const { return streams_.load(std::memory_order_relaxed); }

 private:
  friend class GuestStream;
  // On the stream's loop.
  bool Attach(GuestStream& stream, const boost::asio::any_io_executor& executor);
  void Detach(GuestStream& stream);
  void Enqueue(OfferedEvent event);
  void Drain(StreamShard& shard);
  template <typename Fn>
  void ForEachStream(Fn fn);
  // The guests with a stream on any loop (with an idle one when `idle_only`), each once.
  boost::asio::awaitable<std::vector<std::uint64_t>> GuestsOnLoops(bool idle_only);
  // Reads the newest event ids of `guests` and lets their streams catch up; false when MySQL
  // did not answer.
  boost::asio::awaitable<bool> CatchUp(std::span<const std::uint64_t> guests);
  boost::asio::awaitable<void> Rounds();
  boost::asio::awaitable<void> Resync(std::uint64_t generation);

  GuestEventLog& store_;
  boost::asio::thread_pool& blocking_;
  StreamOptions options_;
  UnitRandom random_;  // used on the first loop only
  std::vector<std::unique_ptr<StreamShard>> shards_;
  std::atomic<std::size_t> streams_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> resync_generation_{0};
  mutable std::mutex presence_mu_;
  std::string presence_state_;
  SharedFrame presence_frame_;
  std::map<std::uint64_t, SharedFrame> closed_frames_;   // by site id: outside its hours
  std::map<std::uint64_t, std::int64_t> reply_seconds_;  // by site id: where known
  // The agents' state with the site's reply time (presence_mu_ held); presence_frame_ when the
  // site has none (or before the first SetPresence).
  SharedFrame OpenFrameLocked(std::uint64_t site_id) const;
  // Open streams per guest, counted from Open() (any thread) to Close().
  std::shared_ptr<GuestStreamCounts> counts_ = std::make_shared<GuestStreamCounts>();
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

// The worker's typing publisher: an agent's typing to this worker's guest streams (the hub), a
// guest's to this worker's admin streams (`admin`), then to Redis for the others (`relay`).
// Without a relay it is the local half only: what the relay hands over from other workers.
class HubTypingPublisher : public TypingPublisher {
 public:
  HubTypingPublisher(EventHub& hub, TypingPublisher* admin, TypingPublisher* relay)
      : hub_(hub), admin_(admin), relay_(relay) {}
  void PublishTyping(const TypingNotice& notice) override {
    hub_.DeliverTyping(notice);
    if (admin_ != nullptr && notice.from == TypingNotice::From::kGuest) {
      admin_->PublishTyping(notice);
    }
    if (relay_ != nullptr) relay_->PublishTyping(notice);
  }

 private:
  EventHub& hub_;
  TypingPublisher* admin_;
  TypingPublisher* relay_;
};

}  // namespace edgechat::worker
