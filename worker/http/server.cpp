#include "http/server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "http/deadline_queue.hpp"
#include "http/loops.hpp"
#include "http/stream.hpp"
#include "log/log.hpp"

namespace edgechat::worker {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::size_t kBodyLimit = 64 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(75);
constexpr auto kWriteTimeout = std::chrono::seconds(30);

void RecordLatency(ServerCounters& c, std::chrono::steady_clock::duration elapsed) {
  double seconds = std::chrono::duration<double>(elapsed).count();
  for (std::size_t i = 0; i < std::size(ServerCounters::kBuckets); ++i) {
    if (seconds <= ServerCounters::kBuckets[i]) c.latency_buckets[i]++;
  }
  c.latency_count++;
  c.latency_sum_us += static_cast<unsigned long long>(seconds * 1e6);
}

HttpResponse PlainError(int status, const char* code, const char* message) {
  return ErrorResponse(status, code, message);
}

// Drops the first `n` bytes of a buffer sequence (after a partial write).
void DropFront(std::vector<net::const_buffer>& buffers, std::size_t n) {
  std::size_t whole = 0;
  while (whole < buffers.size() && n >= buffers[whole].size()) n -= buffers[whole++].size();
  buffers.erase(buffers.begin(), buffers.begin() + static_cast<std::ptrdiff_t>(whole));
  if (n > 0 && !buffers.empty()) buffers.front() += n;
}

// An event stream's read side. The client sends nothing after its request, so a completed read
// means it closed the connection (or broke it): the stream ends at once instead of at its next
// write, which for an idle stream is the next heartbeat.
struct CloseWatch {
  bool active = true;  // false once the stream's writer is done; touched only on its executor
  bool client_gone = false;
  char scratch[64];
};

template <class Socket>
void WatchForClose(Socket& socket, net::any_io_executor executor, std::shared_ptr<CloseWatch> watch,
                   std::shared_ptr<StreamSource> source) {
  auto* scratch = watch->scratch;
  socket.async_read_some(
      net::buffer(scratch, sizeof watch->scratch),
      net::bind_executor(executor,
                         [&socket, executor, watch = std::move(watch), source = std::move(source)](
                             boost::system::error_code ec, std::size_t) mutable {
                           if (!watch->active)
                             return;  // the writer is gone, and maybe the socket too
                           if (!ec) {
                             // Stray bytes after the request (nothing a client should send): keep
                             // watching.
                             WatchForClose(socket, executor, std::move(watch), std::move(source));
                             return;
                           }
                           watch->client_gone = true;
                           source->Close();
                         }));
}

// One chunk of the chunked encoding (size in hex, CRLF, the parts, CRLF) as buffers over `parts`
// and `size`, copying no data.
void GatherChunk(std::span<const std::string_view> parts, char (&size)[20],
                 std::vector<net::const_buffer>& buffers) {
  static constexpr char kCrlf[] = "\r\n";
  std::size_t total = 0;
  for (auto part : parts) total += part.size();
  int size_len = std::snprintf(size, sizeof size, "%zx\r\n", total);
  buffers.clear();
  buffers.emplace_back(size, static_cast<std::size_t>(size_len));
  for (auto part : parts) buffers.emplace_back(part.data(), part.size());
  buffers.emplace_back(kCrlf, 2);
}

// Every chunk of an event stream goes through its sink: the writer's, and the source's own while
// the writer waits (see StreamSink). What the socket does not take at once is kept, in order, for
// the writer to finish.
template <class Socket>
class DirectSink : public StreamSink {
 public:
  explicit DirectSink(Socket& socket) : socket_(socket) {}

  Sent SendNow(std::span<const std::string_view> frames) override {
    if (failed_) return Sent::kFailed;
    char size[20];
    GatherChunk(frames, size, buffers_);
    if (!rest_.empty()) {  // an earlier part is still waiting for the writer: keep the order
      Keep();
      return Sent::kPart;
    }
    boost::system::error_code ec;
    std::size_t written = socket_.write_some(buffers_, ec);
    if (ec && ec != net::error::would_block && ec != net::error::try_again) {
      failed_ = true;
      return Sent::kFailed;
    }
    if (ec) written = 0;
    DropFront(buffers_, written);
    if (buffers_.empty()) return Sent::kAll;
    Keep();
    return Sent::kPart;
  }

  bool failed() const { return failed_; }
  // Bytes the socket has not taken yet; the writer sends them before anything else.
  std::string& rest() { return rest_; }

 private:
  void Keep() {
    for (const auto& b : buffers_) rest_.append(static_cast<const char*>(b.data()), b.size());
  }

  Socket& socket_;
  std::vector<net::const_buffer> buffers_;
  std::string rest_;
  bool failed_ = false;
};

}  // namespace

// What StopAccepting needs to close a connection that waits for its next request.
struct IdleHandle {
  net::any_io_executor executor;
  bool idle = false;  // touched only on `executor`
  bool done = false;
  std::function<void()> cancel;
};

struct HttpServer::Impl {
  net::io_context& io;
  EventLoops& loops;
  net::thread_pool& blocking;
  Handler handler;
  ServerCounters& counters;
  const ServerOptions options;
  std::optional<net::ip::tcp::acceptor> tcp_acceptor;
  std::optional<net::local::stream_protocol::acceptor> unix_acceptor;
  std::atomic<bool> stopping{false};
  std::mutex handles_mu;
  std::list<std::shared_ptr<IdleHandle>> handles;
  DeadlineQueue queue;

  Impl(net::io_context& io_in, EventLoops& loops_in, net::thread_pool& blocking_in,
       Handler handler_in, ServerCounters& counters_in, ServerOptions options_in)
      : io(io_in),
        loops(loops_in),
        blocking(blocking_in),
        handler(std::move(handler_in)),
        counters(counters_in),
        options(options_in),
        queue([this](std::function<void()> job) { net::post(blocking, std::move(job)); },
              options_in.queue_deadline) {}

  // Counts a stream about to open, unless options.max_streams are open already. Counted before
  // the first byte is written, so a burst of concurrent opens cannot overshoot.
  bool ReserveStream() {
    const long long open = ++counters.open_streams;
    if (static_cast<unsigned long long>(open) > options.max_streams) {
      counters.open_streams--;
      counters.streams_refused++;
      return false;
    }
    long long peak = counters.open_streams_peak.load(std::memory_order_relaxed);
    while (open > peak && !counters.open_streams_peak.compare_exchange_weak(peak, open)) {
    }
    return true;
  }

  HttpResponse SafeHandle(const HttpRequest& request) {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      LogError("http", std::string("handler failed: ") + e.what());
      return PlainError(500, "internal", "Internal error.");
    }
  }

  // Runs the handler on the blocking pool (it may wait on MySQL), then resumes on the connection's
  // loop. A job still queued at the deadline never runs: the client gets 503 busy at once.
  net::awaitable<HttpResponse> RunHandler(HttpRequest request) {
    auto executor = co_await net::this_coro::executor;
    // Shared with the job, which may outlive this coroutine when it never starts. Touched on the
    // connection's loop only, but for `request`, which the job alone reads once started.
    struct Outcome {
      HttpRequest request;
      HttpResponse response;
      bool done = false;
      net::steady_timer* wake = nullptr;  // set while this coroutine waits
    };
    auto outcome = std::make_shared<Outcome>();
    outcome->request = std::move(request);
    net::steady_timer wake(executor);
    outcome->wake = &wake;
    auto job = queue.Submit([this, outcome, executor] {
      HttpResponse response = SafeHandle(outcome->request);
      net::post(executor, [outcome, response = std::move(response)]() mutable {
        outcome->response = std::move(response);
        outcome->done = true;
        if (outcome->wake != nullptr) outcome->wake->cancel();
      });
    });
    boost::system::error_code ec;
    wake.expires_at(job->deadline_at());
    co_await wake.async_wait(net::redirect_error(net::use_awaitable, ec));
    if (!outcome->done && job->Expire()) {
      outcome->wake = nullptr;
      counters.responses_busy++;
      HttpResponse busy = PlainError(503, "busy", "The service is busy; retry shortly.");
      busy.headers.emplace_back("Retry-After", "2");
      co_return busy;
    }
    while (!outcome->done) {  // started: its answer comes, however long it takes
      wake.expires_at(net::steady_timer::time_point::max());
      co_await wake.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    outcome->wake = nullptr;
    co_return std::move(outcome->response);
  }

  template <class Protocol>
  net::awaitable<void> Session(typename Protocol::socket socket) {
    counters.open_connections++;
    beast::basic_stream<Protocol> stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    auto handle = std::make_shared<IdleHandle>();
    handle->executor = co_await net::this_coro::executor;
    handle->cancel = [&stream] { stream.cancel(); };
    std::list<std::shared_ptr<IdleHandle>>::iterator handle_it;
    {
      std::lock_guard lock(handles_mu);
      handle_it = handles.insert(handles.end(), handle);
    }
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kBodyLimit);
      parser.header_limit(16 * 1024);
      stream.expires_after(kIdleTimeout);
      if (stopping && buffer.size() == 0) break;
      handle->idle = buffer.size() == 0;
      co_await http::async_read(stream, buffer, parser,
                                net::redirect_error(net::use_awaitable, ec));
      handle->idle = false;
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == net::error::operation_aborted || ec == net::error::connection_reset ||
          ec == net::error::eof) {
        break;
      }
      HttpResponse response;
      bool keep_alive = false;
      auto started = std::chrono::steady_clock::now();
      HttpRequest request;
      if (ec) {
        response = ec == http::error::body_limit
                       ? PlainError(413, "payload_too_large", "The request body is too large.")
                       : PlainError(400, "bad_request", "Malformed HTTP request.");
      } else {
        auto& msg = parser.get();
        request.method = std::string(msg.method_string());
        request.target = std::string(msg.target());
        for (const auto& field : msg) {
          std::string name(field.name_string());
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          request.headers[name] = std::string(field.value());
        }
        request.body = std::move(msg.body());
        keep_alive = msg.keep_alive() && !stopping;
        counters.requests++;
        response = co_await RunHandler(std::move(request));
      }
      if (response.stream && !ReserveStream()) {
        response.stream->Close();  // never started: it releases what it holds (a guest's count)
        response = PlainError(503, "stream_capacity",
                              "This server holds as many event streams as it can; retry shortly.");
        response.headers.emplace_back("Retry-After", "5");
      }
      if (response.status >= 500) counters.responses_5xx++;
      RecordLatency(counters, std::chrono::steady_clock::now() - started);

      if (response.stream) {
        co_await WriteStream(stream, response);
        break;
      }
      http::response<http::string_body> res{static_cast<http::status>(response.status), 11};
      for (const auto& [name, value] : response.headers) res.set(name, value);
      res.body() = std::move(response.body);
      res.keep_alive(keep_alive);
      res.prepare_payload();
      stream.expires_after(kWriteTimeout);
      co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
      if (ec || !keep_alive) break;
    }
    handle->done = true;
    {
      std::lock_guard lock(handles_mu);
      handles.erase(handle_it);
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(net::socket_base::shutdown_send, ignored);
    counters.open_connections--;
  }

  template <class Stream>
  net::awaitable<void> WriteStream(Stream& stream, HttpResponse& response) {
    boost::system::error_code ec;
    http::response<http::empty_body> head{static_cast<http::status>(response.status), 11};
    for (const auto& [name, value] : response.headers) head.set(name, value);
    head.chunked(true);
    head.keep_alive(false);
    http::response_serializer<http::empty_body> serializer{head};
    stream.expires_after(kWriteTimeout);
    co_await http::async_write_header(stream, serializer,
                                      net::redirect_error(net::use_awaitable, ec));
    stream.expires_never();
    boost::system::error_code ignored;
    stream.socket().non_blocking(true, ignored);
    auto watch = std::make_shared<CloseWatch>();
    if (!ec) {
      WatchForClose(stream.socket(), co_await net::this_coro::executor, watch, response.stream);
    }
    DirectSink<std::remove_reference_t<decltype(stream.socket())>> sink(stream.socket());
    if (!ec) response.stream->AttachSink(&sink);
    std::vector<SharedFrame> frames;
    std::vector<std::string_view> parts;
    while (!ec) {
      frames.clear();
      if (!co_await response.stream->NextFrames(frames)) break;
      if (!frames.empty()) {
        // One chunk gathered from the shared frames, through the same sink the source writes
        // with while this writer waits: the socket almost always takes it at once.
        parts.clear();
        for (const auto& frame : frames) parts.emplace_back(*frame);
        sink.SendNow(parts);
      }
      if (sink.failed()) break;
      if (!sink.rest().empty()) {
        // What the socket could not take at once goes before anything newer. Only a reader whose
        // buffer is full waits here, for at most kWriteTimeout, and is dropped after that (it
        // resumes with Last-Event-ID).
        stream.expires_after(kWriteTimeout);
        co_await net::async_write(stream, net::buffer(sink.rest()),
                                  net::redirect_error(net::use_awaitable, ec));
        stream.expires_never();
        sink.rest().clear();
      }
    }
    watch->active = false;
    response.stream->Close();
    counters.open_streams--;  // counted by ReserveStream()
    if (!ec && !sink.failed() && !watch->client_gone) {
      stream.expires_after(kWriteTimeout);
      co_await net::async_write(stream, http::make_chunk_last(),
                                net::redirect_error(net::use_awaitable, ec));
    }
  }

  template <class Protocol, class Acceptor>
  net::awaitable<void> AcceptLoop(Acceptor& acceptor) {
    for (;;) {
      boost::system::error_code ec;
      // The connection lives on one loop from here on: no strand, and its event stream is reached
      // by that loop's single delivery handler.
      net::io_context& loop = loops.Next();
      typename Protocol::socket socket(loop);
      co_await acceptor.async_accept(socket, net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        // Out of descriptors and the like: back off briefly instead of spinning.
        LogWarn("http", "accept failed: " + ec.message());
        net::steady_timer pause(io, std::chrono::milliseconds(50));
        co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
        continue;
      }
      net::co_spawn(loop, Session<Protocol>(std::move(socket)), net::detached);
    }
  }
};

HttpServer::HttpServer(net::io_context& io, EventLoops& loops, net::thread_pool& blocking,
                       Handler handler, ServerCounters& counters, ServerOptions options)
    : impl_(std::make_unique<Impl>(io, loops, blocking, std::move(handler), counters, options)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Listen(const ListenSpec& spec) {
  boost::system::error_code ec;
  if (spec.is_unix()) {
    struct stat st {};
    if (lstat(spec.unix_path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        return Error{ErrorKind::kInternal, "listen_failed",
                     spec.unix_path + " exists and is not a socket"};
      }
      ::unlink(spec.unix_path.c_str());  // stale socket from an earlier run
    }
    auto& acceptor = impl_->unix_acceptor.emplace(impl_->io);
    net::local::stream_protocol::endpoint endpoint(spec.unix_path);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec && ::chmod(spec.unix_path.c_str(), 0660) != 0) {
      return Error{ErrorKind::kInternal, "listen_failed", "cannot chmod " + spec.unix_path};
    }
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return Error{ErrorKind::kInternal, "listen_failed",
                   "cannot listen on unix:" + spec.unix_path + ": " + ec.message()};
    net::co_spawn(impl_->io, impl_->AcceptLoop<net::local::stream_protocol>(acceptor),
                  net::detached);
  } else {
    auto address = net::ip::make_address(spec.host, ec);
    if (ec)
      return Error{ErrorKind::kInternal, "listen_failed",
                   "worker.listen: bad address " + spec.host};
    net::ip::tcp::endpoint endpoint(address, spec.port);
    auto& acceptor = impl_->tcp_acceptor.emplace(impl_->io);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error{
          ErrorKind::kInternal, "listen_failed",
          "cannot listen on " + spec.host + ":" + std::to_string(spec.port) + ": " + ec.message()};
    }
    net::co_spawn(impl_->io, impl_->AcceptLoop<net::ip::tcp>(acceptor), net::detached);
  }
  return Ok{};
}

void HttpServer::StopAccepting() {
  impl_->stopping = true;
  net::post(impl_->io, [impl = impl_.get()] {
    boost::system::error_code ignored;
    if (impl->tcp_acceptor) impl->tcp_acceptor->close(ignored);
    if (impl->unix_acceptor) impl->unix_acceptor->close(ignored);
  });
  // Connections waiting for their next request are closed; busy ones close after their reply.
  std::lock_guard lock(impl_->handles_mu);
  for (const auto& handle : impl_->handles) {
    net::post(handle->executor, [handle] {
      if (!handle->done && handle->idle) handle->cancel();
    });
  }
}

}  // namespace edgechat::worker
