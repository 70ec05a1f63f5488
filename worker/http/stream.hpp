// A response body produced over time (server-sent events). Asio only, no Beast.
#pragma once

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgechat::worker {

// Bytes formatted once and shared, unchanged, by every stream that sends them.
using SharedFrame = std::shared_ptr<const std::string>;

// The server's side of an event stream, lent to its source: sends one frame straight to the
// socket without resuming the writer. Call it only on the connection's executor and only while the
// writer waits in NextFrames() (so no other write is in progress). That is how one notice reaches
// thousands of idle streams for the cost of one write each.
class StreamSink {
 public:
  enum class Sent {
    kAll,     // the socket took the whole frame
    kPart,    // it took part of it: the sink keeps the rest and sends it before anything else as
              // soon as NextFrames() returns, which the source must then make it do
    kFailed,  // the connection is broken: NextFrames() should return false
  };
  virtual ~StreamSink() = default;
  // The frames go out together, as one chunk.
  virtual Sent SendNow(std::span<const std::string_view> frames) = 0;
};

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // The next bytes to send (a heartbeat counts), or std::nullopt when the stream is over.
  // Runs on the connection's executor.
  virtual boost::asio::awaitable<std::optional<std::string>> Next() = 0;
  // Like Next(), but appends shared frames to `out` (the server writes them with one gathered
  // write, copying nothing); false when the stream is over. True with nothing added is allowed:
  // the server then only sends what its sink kept. The default wraps Next(); a source that hands
  // one formatted event to many streams overrides it.
  virtual boost::asio::awaitable<bool> NextFrames(std::vector<SharedFrame>& out) {
    std::optional<std::string> bytes = co_await Next();
    if (!bytes) co_return false;
    out.push_back(std::make_shared<const std::string>(std::move(*bytes)));
    co_return true;
  }
  // Called once, on the connection's executor, before the first NextFrames(); the sink stays valid
  // until Close(). A source that ignores it is only ever written by the writer.
  virtual void AttachSink(StreamSink* /*sink*/) {}
  // The connection is gone (client closed it, write failed or server stopping): release
  // resources and end Next() soon. May be called more than once.
  virtual void Close() = 0;
};

}  // namespace edgechat::worker
