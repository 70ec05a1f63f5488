#include "admin/admin_stream.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/run_on.hpp"

namespace edgechat::worker {

namespace net = boost::asio;

void TypingFeed::PublishTyping(const TypingNotice& notice) {
  if (notice.from != TypingNotice::From::kGuest) return;
  std::string frame = FormatTypingSse(notice);
  std::lock_guard lock(mu_);
  ++newest_;
  ring_[newest_ % kCapacity] = std::move(frame);
}

std::uint64_t TypingFeed::Newest() const {
  std::lock_guard lock(mu_);
  return newest_;
}

std::uint64_t TypingFeed::After(std::uint64_t after, std::string& out) const {
  std::lock_guard lock(mu_);
  if (newest_ > kCapacity) after = std::max<std::uint64_t>(after, newest_ - kCapacity);
  for (std::uint64_t n = after + 1; n <= newest_; ++n) out += ring_[n % kCapacity];
  return newest_;
}

AdminStream::AdminStream(AllEventsLog& events, net::thread_pool& blocking,
                         const std::atomic<bool>& shutdown,
                         std::optional<std::uint64_t> last_event_id,
                         std::function<bool()> session_alive, AdminStreamOptions options,
                         const TypingFeed* typing)
    : events_(events),
      blocking_(blocking),
      shutdown_(shutdown),
      options_(options),
      last_event_id_(last_event_id),
      session_alive_(std::move(session_alive)),
      typing_(typing) {}

void AdminStream::Close() {
  closed_ = true;
}

net::awaitable<std::optional<std::string>> AdminStream::Next() {
  if (!started_) {
    started_ = true;
    last_write_ = last_check_ = options_.clock();
    if (last_event_id_) {
      cursor_ = *last_event_id_;
    } else {
      // No Last-Event-ID: start after the newest event (the panel loads its lists itself).
      auto last = co_await RunOn(blocking_, [this] { return events_.LastEventId(); });
      if (!last || !last->ok()) co_return std::nullopt;
      cursor_ = last->value();
    }
    floor_ = cursor_;
    if (typing_ != nullptr) typing_cursor_ = typing_->Newest();  // typing from now on only
    // The first bytes tell the panel the stream is live.
    co_return std::string("retry: 2000\n\n: ready\n\n");
  }
  net::steady_timer timer(co_await net::this_coro::executor);
  for (;;) {
    if (closed_ || shutdown_) co_return std::nullopt;
    std::uint64_t from =
        std::max(floor_, cursor_ > options_.lookback ? cursor_ - options_.lookback : 0);
    auto events = co_await RunOn(blocking_, [this, from] {
      return events_.EventsAfter(from, options_.page + options_.lookback);
    });
    std::string text;
    if (events && events->ok()) {
      for (const auto& e : events->value()) {
        // Skip what the client had when it connected and what was sent; an id below the cursor
        // that was not sent is an event that committed late, and goes out now.
        if (e.id <= floor_ || sent_.count(e.id) != 0) continue;
        text += "id: " + std::to_string(e.id) + "\nevent: " + e.type +
                "\ndata: {\"conversationId\":" + std::to_string(e.conversation_id) +
                ",\"event\":" + e.data + "}\n\n";
        sent_.insert(e.id);
        cursor_ = std::max(cursor_, e.id);
      }
      while (!sent_.empty() && cursor_ - *sent_.begin() > options_.lookback) {
        sent_.erase(sent_.begin());
      }
    }
    // Typing after the events: a message read in the same poll has not superseded it (the
    // panel clears the marker on a guest's message and shows the next typing again).
    if (typing_ != nullptr) typing_cursor_ = typing_->After(typing_cursor_, text);
    auto now = options_.clock();
    if (session_alive_ && now - last_check_ >= options_.session_check) {
      last_check_ = now;
      auto alive = co_await RunOn(blocking_, [this] { return session_alive_(); });
      if (alive && !*alive) co_return std::nullopt;
    }
    if (!text.empty()) {
      last_write_ = now;
      co_return text;
    }
    if (now - last_write_ >= options_.heartbeat) {
      last_write_ = now;
      co_return std::string(": heartbeat\n\n");
    }
    timer.expires_after(options_.poll);
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

}  // namespace edgechat::worker
