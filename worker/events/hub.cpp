#include "events/hub.hpp"

#include <algorithm>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "common/run_on.hpp"
#include "log/log.hpp"

namespace edgechat::worker {

namespace net = boost::asio;

namespace {

// Guests per resync batch, each checked at its own point of the window.
constexpr std::size_t kCheckBatch = 128;

SharedFrame Literal(const char* text) {
  return std::make_shared<const std::string>(text);
}

constexpr char kHeartbeat[] = ": heartbeat\n\n";

}  // namespace

GuestStream::GuestStream(EventHub& hub, GuestEventLog& store, net::thread_pool& blocking,
                         std::uint64_t guest_id, std::optional<std::uint64_t> last_event_id,
                         StreamOptions options, GuestStreamCounts::Slot slot, std::uint64_t site_id)
    : hub_(hub),
      store_(store),
      blocking_(blocking),
      guest_id_(guest_id),
      site_id_(site_id),
      options_(options),
      last_sent_(last_event_id),
      slot_in_counts_(std::move(slot)) {}

std::optional<GuestStreamCounts::Slot> GuestStreamCounts::TryTake(std::uint64_t guest,
                                                                  unsigned max) {
  std::lock_guard lock(mu_);
  unsigned& open = open_[guest];
  if (open >= max) {
    if (open == 0) open_.erase(guest);
    return std::nullopt;
  }
  ++open;
  return Slot(shared_from_this(), guest);
}

void GuestStreamCounts::Slot::Release() {
  if (!counts_) return;
  {
    std::lock_guard lock(counts_->mu_);
    auto it = counts_->open_.find(guest_);
    if (it != counts_->open_.end() && --it->second == 0) counts_->open_.erase(it);
  }
  counts_.reset();
}

template <typename Handler>
struct GuestStream::WaiterFor : GuestStream::Waiter {
  explicit WaiterFor(Handler h) : handler(std::move(h)) {}
  void Resume(const net::any_io_executor& executor) override {
    net::post(executor, std::move(handler));
  }
  Handler handler;
};

void GuestStream::Wake() {
  // Posted, never resumed inline: the hub may be walking the loop's list of streams.
  if (waiter_ && executor_) {
    std::unique_ptr<Waiter> waiter = std::move(waiter_);
    waiter->Resume(*executor_);
  }
}

bool GuestStream::HasWork() const {
  return closed_ || shutdown_ || broken_ || dirty_ || flush_pending_ || heartbeat_due_ ||
         !offered_.empty() || ephemeral_ != nullptr || presence_ != nullptr;
}

net::awaitable<void> GuestStream::WaitForWork() {
  co_await net::async_initiate<decltype(net::use_awaitable), void()>(
      [this](auto handler) {
        if (HasWork()) {
          net::post(*executor_, std::move(handler));
        } else {
          waiter_ = std::make_unique<WaiterFor<decltype(handler)>>(std::move(handler));
        }
      },
      net::use_awaitable);
}

void GuestStream::ArmHeartbeat() {
  // The pending wait keeps the stream alive; Close() cancels it.
  heartbeat_->expires_after(options_.heartbeat);
  heartbeat_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->closed_ || self->shutdown_) return;
    self->OnHeartbeat();
    self->ArmHeartbeat();
  });
}

bool GuestStream::SendDirect(std::span<const std::string_view> frames) {
  switch (sink_->SendNow(frames)) {
    case StreamSink::Sent::kAll:
      return true;
    case StreamSink::Sent::kPart:
      flush_pending_ = true;
      return false;
    case StreamSink::Sent::kFailed:
      broken_ = true;
      return false;
  }
  return false;
}

void GuestStream::OnHeartbeat() {
  if (waiter_ && sink_) {  // idle: write it directly
    const std::string_view heartbeat = kHeartbeat;
    if (SendDirect({&heartbeat, 1})) return;
  } else {
    heartbeat_due_ = true;
  }
  Wake();
}

void GuestStream::Offer(std::span<const OfferedEvent> events, std::vector<std::string_view>& run) {
  if (closed_ || shutdown_ || broken_) return;
  std::size_t next = 0;
  if (waiter_ && sink_ && !dirty_ && offered_.empty() && last_sent_) {
    // The events that continue exactly where the stream stands (duplicates skipped).
    run.clear();
    std::uint64_t at = *last_sent_;
    for (; next < events.size(); ++next) {
      const OfferedEvent& event = events[next];
      if (event.id <= at) continue;
      if (event.prev_id != at || !event.sse) break;
      run.emplace_back(*event.sse);
      at = event.id;
    }
    if (!run.empty()) {
      bool all = SendDirect(run);
      if (broken_) {
        Wake();
        return;
      }
      last_sent_ = at;  // sent, or partly, with the writer finishing it
      if (all && next == events.size()) return;
    } else if (next == events.size()) {
      return;  // duplicates only
    }
  }
  for (; next < events.size(); ++next) {
    const OfferedEvent& event = events[next];
    if (last_sent_ && event.id <= *last_sent_) continue;  // already sent (a duplicate notice)
    if (offered_.size() >= options_.page) {
      offered_.clear();
      dirty_ = true;
      break;
    }
    offered_.push_back(event);
  }
  Wake();
}

void GuestStream::OfferEphemeral(const SharedFrame& frame) {
  if (closed_ || shutdown_ || broken_ || !frame) return;
  if (waiter_ && sink_ && !dirty_ && offered_.empty() && !ephemeral_) {
    const std::string_view text = *frame;
    if (SendDirect({&text, 1})) return;
    Wake();  // the writer finishes the write, or ends a broken stream
    return;
  }
  ephemeral_ = frame;
  Wake();
}

void GuestStream::OfferPresence(const SharedFrame& frame) {
  if (closed_ || shutdown_ || broken_ || !frame || !started_ || !last_sent_) {
    // Not started yet: the stream sends the hub's current frame when it starts.
    return;
  }
  if (waiter_ && sink_ && !dirty_ && offered_.empty() && !ephemeral_ && !presence_) {
    const std::string_view text = *frame;
    if (SendDirect({&text, 1})) return;
    Wake();
    return;
  }
  presence_ = frame;
  Wake();
}

void GuestStream::MarkDirty() {
  dirty_ = true;
  Wake();
}

void GuestStream::CatchUpTo(std::uint64_t newest) {
  // A stream without last_sent_ is still reading where to start: that read is fresh anyway.
  if (closed_ || shutdown_ || broken_ || !last_sent_ || *last_sent_ >= newest) return;
  MarkDirty();
}

bool GuestStream::Idle() const {
  return waiter_ && !dirty_ && offered_.empty() && !ephemeral_ && !presence_ &&
         last_sent_.has_value();
}

void GuestStream::Shutdown() {
  shutdown_ = true;
  Wake();
}

void GuestStream::Close() {
  if (closed_) return;
  closed_ = true;
  sink_ = nullptr;  // the server's sink dies with its writer
  Wake();           // the client is gone: end a waiting NextFrames() now
  if (heartbeat_) heartbeat_->cancel();
  hub_.Detach(*this);
  slot_in_counts_.Release();
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
    executor_ = executor;
    if (closed_ || !hub_.Attach(*this, executor)) co_return false;
    heartbeat_.emplace(executor);
    ArmHeartbeat();
    if (!last_sent_) {
      // No Last-Event-ID: start after the newest event (the client loaded the history).
      auto last = co_await RunOn(blocking_, [this] { return store_.LastEventId(guest_id_); });
      if (!last || !last->ok()) co_return false;
      last_sent_ = last->value();
      // Nothing to read yet: the stream joined its shard before that query, so any event
      // committed after it arrives as a notice (in sequence, or read from MySQL on a gap).
      dirty_ = false;
    }
    out.push_back(Literal("retry: 2000\n\n"));
    // Attached before this read: a change from now on arrives through OfferPresence as well.
    if (SharedFrame presence = hub_.PresenceFrame(site_id_)) out.push_back(std::move(presence));
    co_return true;
  }
  for (;;) {
    if (closed_ || shutdown_ || broken_) {
      if (heartbeat_) heartbeat_->cancel();
      co_return false;
    }
    if (flush_pending_) {  // the sink holds the rest of a direct send: the writer sends it first
      flush_pending_ = false;
      co_return true;
    }
    if (!dirty_) {
      // Send queued notices that continue exactly where this stream stands.
      while (!offered_.empty()) {
        OfferedEvent& n = offered_.front();
        if (n.id <= *last_sent_) {
          offered_.pop_front();  // already sent (a duplicate notice)
        } else if (n.prev_id == *last_sent_ && n.sse) {
          out.push_back(std::move(n.sse));
          last_sent_ = n.id;
          offered_.pop_front();
        } else {
          dirty_ = true;  // a gap: an earlier event has not been seen here yet
          break;
        }
      }
    }
    if (ephemeral_ && !dirty_) out.push_back(std::exchange(ephemeral_, nullptr));
    if (presence_ && !dirty_) out.push_back(std::exchange(presence_, nullptr));
    if (dirty_) offered_.clear();
    bool dirty = dirty_;
    dirty_ = false;
    if (heartbeat_due_ && out.empty() && !dirty) out.push_back(Literal(kHeartbeat));
    heartbeat_due_ = false;  // anything sent now keeps the connection warm as well
    if (!out.empty() && !dirty) co_return true;
    if (dirty) {
      std::uint64_t after = *last_sent_;
      auto events = co_await RunOn(
          blocking_, [this, after] { return store_.EventsAfter(guest_id_, after, options_.page); });
      if (!events || !events->ok()) co_return false;  // database gone: client retries
      const auto& list = events->value();
      if (list.size() == options_.page) dirty_ = true;  // more to read
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

std::vector<ResyncBatch> PlanResync(std::size_t guests, std::size_t batch,
                                    std::chrono::milliseconds window,
                                    const std::function<double()>& unit) {
  std::vector<ResyncBatch> plan;
  if (guests == 0) return plan;
  batch = std::max<std::size_t>(batch, 1);
  const std::uint64_t batches = (guests + batch - 1) / batch;
  const std::uint64_t span = window.count() > 0 ? static_cast<std::uint64_t>(window.count()) : 0;
  plan.reserve(batches);
  for (std::uint64_t i = 0; i < batches; ++i) {
    // Whole milliseconds, so rounding cannot move a batch into its neighbour's slice.
    const std::uint64_t from = i * span / batches;
    const std::uint64_t width = (i + 1) * span / batches - from;
    // A source that strays out of [0, 1) is clamped into the slice.
    const double jitter = std::clamp(unit(), 0.0, 1.0);
    std::uint64_t offset = static_cast<std::uint64_t>(jitter * static_cast<double>(width));
    if (width > 0) offset = std::min(offset, width - 1);
    plan.push_back(ResyncBatch{
        static_cast<std::size_t>(i * guests / batches),
        static_cast<std::size_t>((i + 1) * guests / batches - i * guests / batches),
        std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(from + offset))});
  }
  return plan;
}

EventHub::EventHub(GuestEventLog& store, net::thread_pool& blocking, StreamOptions options,
                   const std::vector<net::io_context::executor_type>& loops, UnitRandom random)
    : store_(store), blocking_(blocking), options_(options), random_(std::move(random)) {
  if (!random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    random_ = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
  shards_.reserve(loops.size());
  for (const auto& executor : loops) shards_.push_back(std::make_unique<StreamShard>(executor));
}

Result<std::shared_ptr<GuestStream>> EventHub::Open(std::uint64_t guest_id,
                                                    std::optional<std::uint64_t> last_event_id,
                                                    std::uint64_t site_id) {
  auto slot = counts_->TryTake(guest_id, options_.max_per_guest);
  if (!slot) {
    return Error{ErrorKind::kLimited, "too_many_streams",
                 "This guest has " + std::to_string(options_.max_per_guest) +
                     " event streams open already; close one first."};
  }
  return std::make_shared<GuestStream>(*this, store_, blocking_, guest_id, last_event_id, options_,
                                       std::move(*slot), site_id);
}

bool EventHub::Attach(GuestStream& stream, const net::any_io_executor& executor) {
  const auto* loop = executor.target<net::io_context::executor_type>();
  for (auto& shard : shards_) {
    if (loop != nullptr && &loop->context() == &shard->executor.context()) {
      auto& list = shard->by_guest[stream.guest_id()];
      stream.shard_ = shard.get();
      stream.slot_ = list.size();
      list.push_back(&stream);
      streams_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
  }
  LogError("events", "an event stream runs outside the worker's connection loops");
  return false;
}

void EventHub::Detach(GuestStream& stream) {
  StreamShard* shard = stream.shard_;
  if (shard == nullptr) return;
  stream.shard_ = nullptr;
  auto it = shard->by_guest.find(stream.guest_id());
  if (it == shard->by_guest.end()) return;
  auto& list = it->second;
  // Swap with the last and pop: O(1), so 10,000 streams of one guest close in linear time.
  GuestStream* last = list.back();
  list[stream.slot_] = last;
  last->slot_ = stream.slot_;
  list.pop_back();
  if (list.empty()) shard->by_guest.erase(it);
  streams_.fetch_sub(1, std::memory_order_relaxed);
}

void EventHub::Deliver(const EventNotice& notice) {
  if (size() == 0) return;
  auto sse = std::make_shared<const std::string>(FormatSse(notice));
  Enqueue(OfferedEvent{notice.guest_id, notice.id, notice.prev_id, std::move(sse)});
}

void EventHub::DeliverTyping(const TypingNotice& notice) {
  if (size() == 0 || notice.from != TypingNotice::From::kAgent || notice.guest_id == 0) return;
  auto sse = std::make_shared<const std::string>(FormatTypingSse(notice));
  Enqueue(OfferedEvent{notice.guest_id, 0, 0, std::move(sse)});
}

void EventHub::SetPresence(std::string_view state) {
  SharedFrame frame;
  {
    std::lock_guard lock(presence_mu_);
    if (presence_state_ == state && presence_frame_) return;
    presence_state_ = std::string(state);
    // The state is one of our own words (never text from Redis).
    presence_frame_ = std::make_shared<const std::string>("event: presence\ndata: {\"state\":\"" +
                                                          presence_state_ + "\"}\n\n");
    frame = presence_frame_;
  }
  // A site outside its hours keeps showing that; a site with a reply time gets its own frame.
  auto closed = std::make_shared<std::map<std::uint64_t, SharedFrame>>();
  auto own = std::make_shared<std::map<std::uint64_t, SharedFrame>>();
  {
    std::lock_guard lock(presence_mu_);
    *closed = closed_frames_;
    for (const auto& [site, seconds] : reply_seconds_) (*own)[site] = OpenFrameLocked(site);
  }
  ForEachStream([frame, closed, own](GuestStream& stream) {
    if (closed->contains(stream.site_id())) return;
    auto it = own->find(stream.site_id());
    stream.OfferPresence(it != own->end() ? it->second : frame);
  });
}

SharedFrame EventHub::OpenFrameLocked(std::uint64_t site_id) const {
  auto it = reply_seconds_.find(site_id);
  if (it == reply_seconds_.end() || !presence_frame_) return presence_frame_;
  // Our own words and a number (never text from Redis or MySQL).
  return std::make_shared<const std::string>(
      "event: presence\ndata: {\"state\":\"" + presence_state_ +
      "\",\"replySeconds\":" + std::to_string(it->second) + "}\n\n");
}

void EventHub::SetReplyTimes(std::map<std::uint64_t, std::int64_t> reply_seconds) {
  auto changed = std::make_shared<std::map<std::uint64_t, SharedFrame>>();
  {
    std::lock_guard lock(presence_mu_);
    if (reply_seconds == reply_seconds_) return;
    std::map<std::uint64_t, std::int64_t> old = std::move(reply_seconds_);
    reply_seconds_ = std::move(reply_seconds);
    for (const auto& [site, seconds] : reply_seconds_) {
      auto was = old.find(site);
      if (was == old.end() || was->second != seconds) (*changed)[site] = nullptr;
    }
    for (const auto& [site, seconds] : old) {
      if (!reply_seconds_.contains(site)) (*changed)[site] = nullptr;
    }
    for (auto it = changed->begin(); it != changed->end();) {
      if (closed_frames_.contains(it->first) || !presence_frame_) {
        it = changed->erase(it);  // closed wins; before the first state there is nothing to say
      } else {
        it->second = OpenFrameLocked(it->first);
        ++it;
      }
    }
  }
  if (changed->empty()) return;
  ForEachStream([changed](GuestStream& stream) {
    auto it = changed->find(stream.site_id());
    if (it != changed->end() && it->second) stream.OfferPresence(it->second);
  });
}

void EventHub::SetOutsideHours(std::map<std::uint64_t, std::string> away_texts) {
  std::map<std::uint64_t, SharedFrame> next;
  for (auto& [site, text] : away_texts) {
    nlohmann::json data{{"state", "outside_hours"}, {"awayText", std::move(text)}};
    next.emplace(site,
                 std::make_shared<const std::string>(
                     "event: presence\ndata: " +
                     data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n"));
  }
  // The sites whose frame changes, and the frame each now shows.
  auto changed = std::make_shared<std::map<std::uint64_t, SharedFrame>>();
  {
    std::lock_guard lock(presence_mu_);
    for (const auto& [site, frame] : next) {
      auto old = closed_frames_.find(site);
      if (old == closed_frames_.end() || *old->second != *frame) (*changed)[site] = frame;
    }
    for (const auto& [site, frame] : closed_frames_) {
      if (!next.contains(site)) (*changed)[site] = OpenFrameLocked(site);
    }
    closed_frames_ = std::move(next);
  }
  if (changed->empty()) return;
  ForEachStream([changed](GuestStream& stream) {
    auto it = changed->find(stream.site_id());
    if (it != changed->end() && it->second) stream.OfferPresence(it->second);
  });
}

SharedFrame EventHub::PresenceFrame(std::uint64_t site_id) const {
  std::lock_guard lock(presence_mu_);
  if (auto it = closed_frames_.find(site_id); it != closed_frames_.end()) return it->second;
  return OpenFrameLocked(site_id);
}

void EventHub::Notify(std::uint64_t guest_id, std::uint64_t event_id) {
  if (size() == 0) return;
  Enqueue(OfferedEvent{guest_id, event_id, 0, nullptr});
}

void EventHub::Enqueue(OfferedEvent event) {
  for (auto& shard : shards_) {
    bool post;
    {
      std::lock_guard lock(shard->inbox_mu);
      shard->inbox.push_back(event);
      post = !shard->drain_posted;
      shard->drain_posted = true;
    }
    if (post) net::post(shard->executor, [this, shard = shard.get()] { Drain(*shard); });
  }
}

void EventHub::Drain(StreamShard& shard) {
  {
    std::lock_guard lock(shard.inbox_mu);
    shard.draining.swap(shard.inbox);
    shard.drain_posted = false;
  }
  auto& batch = shard.draining;
  // Each guest's events together, in the order they came.
  std::stable_sort(batch.begin(), batch.end(), [](const OfferedEvent& a, const OfferedEvent& b) {
    return a.guest_id < b.guest_id;
  });
  for (auto first = batch.begin(); first != batch.end();) {
    auto last = std::find_if(first, batch.end(), [guest = first->guest_id](const OfferedEvent& e) {
      return e.guest_id != guest;
    });
    auto streams = shard.by_guest.find(first->guest_id);
    if (streams != shard.by_guest.end()) {
      // Ephemeral events apart from committed ones; only the newest goes out, and none when
      // the batch holds a committed event of the guest too (the message supersedes the typing
      // that led to it; the next typing notice refreshes it anyway).
      auto ephemeral =
          std::stable_partition(first, last, [](const OfferedEvent& e) { return e.id != 0; });
      SharedFrame typing;
      if (ephemeral != last && ephemeral == first) typing = std::prev(last)->sse;
      // Offer() never detaches a stream (wakes are posted), so the list is stable here.
      std::span<const OfferedEvent> events(&*first, static_cast<std::size_t>(ephemeral - first));
      for (GuestStream* stream : streams->second) {
        if (!events.empty()) stream->Offer(events, shard.run);
        if (typing) stream->OfferEphemeral(typing);
      }
    }
    first = last;
  }
  batch.clear();
}

template <typename Fn>
void EventHub::ForEachStream(Fn fn) {
  for (auto& shard : shards_) {
    net::post(shard->executor, [shard = shard.get(), fn] {
      for (auto& [guest, list] : shard->by_guest)
        for (GuestStream* stream : list) fn(*stream);
    });
  }
}

net::awaitable<std::vector<std::uint64_t>> EventHub::GuestsOnLoops(bool idle_only) {
  std::vector<std::uint64_t> guests;
  for (auto& shard : shards_) {
    auto on_loop = co_await RunOn(shard->executor, [shard = shard.get(), idle_only] {
      std::vector<std::uint64_t> out;
      for (const auto& [guest, list] : shard->by_guest) {
        if (!idle_only ||
            std::any_of(list.begin(), list.end(), [](const GuestStream* s) { return s->Idle(); })) {
          out.push_back(guest);
        }
      }
      return out;
    });
    if (on_loop) guests.insert(guests.end(), on_loop->begin(), on_loop->end());
  }
  // A guest's streams may be on several loops.
  std::sort(guests.begin(), guests.end());
  guests.erase(std::unique(guests.begin(), guests.end()), guests.end());
  co_return guests;
}

net::awaitable<bool> EventHub::CatchUp(std::span<const std::uint64_t> guests) {
  if (guests.empty()) co_return true;
  auto newest = co_await RunOn(blocking_, [this, guests] { return store_.NewestEventIds(guests); });
  if (!newest || !newest->ok()) co_return false;  // MySQL down: the next round tries again
  auto rows = std::make_shared<const std::vector<GuestEventLog::NewestEvent>>(newest->value());
  for (auto& shard : shards_) {
    net::post(shard->executor, [shard = shard.get(), rows] {
      for (const auto& row : *rows) {
        auto streams = shard->by_guest.find(row.guest_id);
        if (streams == shard->by_guest.end()) continue;
        // CatchUpTo() only posts wakes, so the list is stable here.
        for (GuestStream* stream : streams->second) stream->CatchUpTo(row.event_id);
      }
    });
  }
  co_return true;
}

net::awaitable<void> EventHub::CatchUpRound() {
  auto guests = co_await GuestsOnLoops(true);
  co_await CatchUp(guests);
}

net::awaitable<void> EventHub::Rounds() {
  net::steady_timer timer(co_await net::this_coro::executor);
  while (!stopping_) {
    timer.expires_after(options_.heartbeat);
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    if (stopping_) break;
    co_await CatchUpRound();
  }
}

void EventHub::Start() {
  if (shards_.empty()) return;
  net::co_spawn(shards_.front()->executor, Rounds(), net::detached);
}

net::awaitable<void> EventHub::Resync(std::uint64_t generation) {
  auto guests = co_await GuestsOnLoops(false);
  const auto plan = PlanResync(guests.size(), kCheckBatch, options_.resync_window, random_);
  LogInfo("events", "resyncing the streams of " + std::to_string(guests.size()) +
                        " guests from MySQL in " + std::to_string(plan.size()) +
                        " batches within " + std::to_string(options_.resync_window.count()) +
                        " ms");
  net::steady_timer timer(co_await net::this_coro::executor);
  const auto start = std::chrono::steady_clock::now();
  std::span<const std::uint64_t> all(guests);
  for (const ResyncBatch& batch : plan) {
    timer.expires_at(start + batch.delay);
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    if (stopping_ || resync_generation_ != generation) co_return;
    if (!co_await CatchUp(all.subspan(batch.first, batch.count))) {
      // MySQL is down too: the periodic check catches these streams up once it is back.
      LogWarn("events", "resync stopped: MySQL did not answer");
      co_return;
    }
  }
}

void EventHub::ResyncAll() {
  if (shards_.empty()) return;
  const std::uint64_t generation = ++resync_generation_;
  net::co_spawn(shards_.front()->executor, Resync(generation), net::detached);
}

void EventHub::ShutdownAll() {
  stopping_ = true;
  ForEachStream([](GuestStream& stream) { stream.Shutdown(); });
}

}  // namespace edgechat::worker
