// A response body produced over time (server-sent events). Asio only, no Beast.
#pragma once

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

namespace edgechat::worker {

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // The next bytes to send (a heartbeat counts), or std::nullopt when the stream is over.
  // Runs on the connection's executor.
  virtual boost::asio::awaitable<std::optional<std::string>> Next() = 0;
  // The connection is gone (write failed or server stopping): release resources.
  virtual void Close() = 0;
};

}  // namespace edgechat::worker
