// A response body produced over time (server-sent events). Asio only, no Beast.
#pragma once

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace edgechat::worker {

// Bytes formatted once and shared, unchanged, by every stream that sends them.
using SharedFrame = std::shared_ptr<const std::string>;

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // The next bytes to send (a heartbeat counts), or std::nullopt when the stream is over.
  // Runs on the connection's executor.
  virtual boost::asio::awaitable<std::optional<std::string>> Next() = 0;
  // Like Next(), but appends shared frames to `out` (the server writes them with one gathered
  // write, copying nothing); false when the stream is over. The default wraps Next(); a source
  // that hands one formatted event to many streams overrides it.
  virtual boost::asio::awaitable<bool> NextFrames(std::vector<SharedFrame>& out) {
    std::optional<std::string> bytes = co_await Next();
    if (!bytes) co_return false;
    out.push_back(std::make_shared<const std::string>(std::move(*bytes)));
    co_return true;
  }
  // The connection is gone (client closed it, write failed or server stopping): release
  // resources and end Next() soon. May be called more than once.
  virtual void Close() = 0;
};

}  // namespace edgechat::worker
