// The admin event stream (GET /api/v1/admin/events): every conversation's events (new messages,
// reactions, status changes) as server-sent events. It reads the events table every
// `poll` interval, so it needs no hook into the guests' event hub and sees events written by
// any worker or by edgechatctl. Events commit out of id order across conversations, so each read
// looks back `lookback` ids and skips those already sent. The panel reloads its lists when the
// stream (re)connects, so a restart of the stream never leaves it stale.
#pragma once

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "http/stream.hpp"
#include "store/event_publisher.hpp"
#include "store/event_repo.hpp"

namespace edgechat::worker {

// Guests' typing for the admin streams of this worker (typing never enters the events table the
// streams poll): a ring of the newest kCapacity frames, each numbered; a stream sends, at each
// poll, those numbered after the last it sent. Bounded: a stream that fell behind by more than
// the ring skips the oldest (typing is ephemeral).
class TypingFeed : public TypingPublisher {
 public:
  static constexpr std::size_t kCapacity = 64;
  // Any thread. Only a guest's typing is kept.
  void PublishTyping(const TypingNotice& notice) override;
  // The number of the newest frame (0: none yet).
  std::uint64_t Newest() const;
  // The frames numbered after `after`, oldest first, and the newest number.
  std::uint64_t After(std::uint64_t after, std::string& out) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> ring_ = std::vector<std::string>(kCapacity);
  std::uint64_t newest_ = 0;
};

struct AdminStreamOptions {
  std::chrono::milliseconds poll{400};
  std::chrono::seconds heartbeat{15};
  std::chrono::seconds session_check{5};  // how often the session is checked
  unsigned page = 500;
  unsigned lookback = 200;
  Clock clock = SteadyClock();  // decides when a heartbeat and a session check are due
};

class AdminStream : public StreamSource {
 public:
  AdminStream(AllEventsLog& events, boost::asio::thread_pool& blocking,
              const std::atomic<bool>& shutdown, std::optional<std::uint64_t> last_event_id,
              std::function<bool()> session_alive, AdminStreamOptions options = {},
              const TypingFeed* typing = nullptr);

  boost::asio::awaitable<std::optional<std::string>> Next() override;
  void Close() override;

 private:
  AllEventsLog& events_;
  boost::asio::thread_pool& blocking_;
  const std::atomic<bool>& shutdown_;
  AdminStreamOptions options_;
  std::optional<std::uint64_t> last_event_id_;
  std::function<bool()> session_alive_;
  std::chrono::steady_clock::time_point last_check_;
  bool started_ = false;
  std::uint64_t cursor_ = 0;      // highest id sent
  std::uint64_t floor_ = 0;       // ids up to here were known to the client when it connected
  std::set<std::uint64_t> sent_;  // ids sent within the lookback window
  std::chrono::steady_clock::time_point last_write_;
  std::atomic<bool> closed_{false};
  const TypingFeed* typing_;
  std::uint64_t typing_cursor_ = 0;  // the newest typing frame sent (or there at the start)
};

// Opens admin streams; ShutdownAll ends them at their next poll (the worker's graceful stop).
class AdminStreams {
 public:
  AdminStreams(AllEventsLog& events, boost::asio::thread_pool& blocking,
               AdminStreamOptions options = {}, const TypingFeed* typing = nullptr)
      : events_(events), blocking_(blocking), options_(options), typing_(typing) {}
  std::shared_ptr<StreamSource> Open(std::optional<std::uint64_t> last_event_id,
                                     std::function<bool()> session_alive) {
    return std::make_shared<AdminStream>(events_, blocking_, shutdown_, last_event_id,
                                         std::move(session_alive), options_, typing_);
  }
  void ShutdownAll() { shutdown_ = true; }

 private:
  AllEventsLog& events_;
  boost::asio::thread_pool& blocking_;
  AdminStreamOptions options_;
  const TypingFeed* typing_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace edgechat::worker
