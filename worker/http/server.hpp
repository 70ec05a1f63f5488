// The worker's HTTP/1.1 server (Boost.Beast over Asio, C++20 coroutines). Beast stays inside
// server.cpp; callers see plain HttpRequest / HttpResponse.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

#include "config/config.hpp"
#include "http/types.hpp"
#include "shared/result.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace edgechat::worker {

class EventLoops;

struct ServerCounters {
  std::atomic<unsigned long long> requests{0};
  std::atomic<unsigned long long> responses_5xx{0};
  // 503 busy: the request waited for a pool thread longer than the queue deadline.
  std::atomic<unsigned long long> responses_busy{0};
  std::atomic<long long> open_connections{0};
  std::atomic<long long> open_streams{0};
  // Streams refused because ServerOptions::max_streams were open.
  std::atomic<unsigned long long> streams_refused{0};
  // The most streams open at once since the owner last reset it.
  std::atomic<long long> open_streams_peak{0};
  // Request latency histogram (seconds), cumulative buckets as Prometheus expects.
  static constexpr double kBuckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0};
  std::atomic<unsigned long long> latency_buckets[9]{};
  std::atomic<unsigned long long> latency_count{0};
  std::atomic<unsigned long long> latency_sum_us{0};
};

struct ServerOptions {
  // Event streams of every kind open at once; one more is answered 503 `stream_capacity` (see
  // StreamCapacityFor: each holds a descriptor, and running out of them would fail accept() for
  // every client instead).
  std::uint64_t max_streams = std::numeric_limits<std::uint64_t>::max();
  // A handler not started on the blocking pool within this is answered 503 busy instead.
  std::chrono::milliseconds queue_deadline = std::chrono::seconds(3);
};

class HttpServer {
 public:
  // Runs on the blocking pool (it may wait on MySQL); returns the full response.
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // `io` runs the acceptors; each accepted connection is served on one of `loops`, its handler
  // on `blocking`. A handler not started within options.queue_deadline is answered 503 busy.
  HttpServer(boost::asio::io_context& io, EventLoops& loops, boost::asio::thread_pool& blocking,
             Handler handler, ServerCounters& counters, ServerOptions options = {});
  ~HttpServer();

  // Binds and starts accepting. A unix socket path gets mode 0660; a stale socket file is
  // replaced.
  Status Listen(const ListenSpec& spec);
  // Stops accepting and closes idle keep-alive connections; requests in flight finish.
  void StopAccepting();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgechat::worker
