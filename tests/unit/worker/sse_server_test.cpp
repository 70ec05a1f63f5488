// The HTTP server's event-stream writer: shared frames gathered into one chunk, and a client
// that closes its stream noticed at once (not at the stream's next write).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "http/loops.hpp"
#include "http/server.hpp"
#include "http/stream.hpp"

namespace edgechat::worker {
namespace {

namespace net = boost::asio;

// Hands out its scripted batches, then waits (an idle stream with no heartbeat) until closed.
class ScriptedSource : public StreamSource {
 public:
  explicit ScriptedSource(std::vector<std::vector<SharedFrame>> script)
      : script_(std::move(script)) {}

  net::awaitable<std::optional<std::string>> Next() override { co_return std::nullopt; }

  net::awaitable<bool> NextFrames(std::vector<SharedFrame>& out) override {
    if (step_ < script_.size()) {
      out = script_[step_++];
      co_return true;
    }
    if (!closed_) {
      timer_.emplace(co_await net::this_coro::executor, std::chrono::hours(1));
      boost::system::error_code ec;
      co_await timer_->async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    co_return false;
  }

  // The server calls Close on the connection's executor, where the timer lives.
  void Close() override {
    closed_ = true;
    ++closes;
    if (timer_) timer_->cancel();
  }

  std::atomic<int> closes{0};

 private:
  std::vector<std::vector<SharedFrame>> script_;
  std::size_t step_ = 0;
  bool closed_ = false;
  std::optional<net::steady_timer> timer_;
};

// Writes through the server's sink while the writer waits, as the event hub does: after its
// `retry:` frame it only waits, and wakes up (returning no frames) when a direct send was partial.
class DirectSource : public StreamSource {
 public:
  net::awaitable<std::optional<std::string>> Next() override { co_return std::nullopt; }

  net::awaitable<bool> NextFrames(std::vector<SharedFrame>& out) override {
    if (!executor_) {
      executor_ = co_await net::this_coro::executor;
      out.push_back(std::make_shared<const std::string>("retry: 2000\n\n"));
      co_return true;
    }
    if (closed_) co_return false;
    timer_.emplace(*executor_, std::chrono::hours(1));
    parked = true;
    boost::system::error_code ec;
    co_await timer_->async_wait(net::redirect_error(net::use_awaitable, ec));
    parked = false;
    co_return !closed_;
  }

  void AttachSink(StreamSink* sink) override { sink_ = sink; }
  void Close() override {
    closed_ = true;
    if (timer_) timer_->cancel();
  }

  // From any thread: sends on the connection's loop, waking the writer after a partial send.
  StreamSink::Sent Send(std::string frame) {
    return net::post(*executor_, net::use_future([this, frame] {
             const std::string_view view = frame;
             auto sent = sink_->SendNow({&view, 1});
             if (sent == StreamSink::Sent::kPart) {
               parked = false;
               timer_->cancel();
             }
             return sent;
           }))
        .get();
  }

  std::atomic<bool> parked{false};

 private:
  std::optional<net::any_io_executor> executor_;
  std::optional<net::steady_timer> timer_;
  StreamSink* sink_ = nullptr;
  bool closed_ = false;
};

SharedFrame Frame(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

class SseServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/edgechat-sse-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    socket_path_ = dir_ + "/worker.sock";
    server_.emplace(
        io_, loops_, blocking_,
        [this](const HttpRequest&) {
          HttpResponse response;
          response.headers.emplace_back("Content-Type", "text/event-stream");
          response.stream = make_source_ ? make_source_() : source_;
          return response;
        },
        counters_, options_);
    ListenSpec spec;
    spec.unix_path = socket_path_;
    ASSERT_TRUE(server_->Listen(spec).ok());
    runner_ = std::thread([this] { io_.run(); });
    loops_.Start();
  }

  void TearDown() override {
    work_.reset();
    io_.stop();
    if (runner_.joinable()) runner_.join();
    loops_.Stop();
    server_.reset();
    blocking_.join();
    std::filesystem::remove_all(dir_);
  }

  // A connected client that has sent its request; -1 on failure.
  int OpenStream() {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path_.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      return -1;
    }
    std::string request = "GET /events HTTP/1.1\r\nHost: test\r\n\r\n";
    if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  // Reads until `needle` has arrived (or the connection ends); returns all bytes read.
  static std::string ReadUntil(int fd, const std::string& needle) {
    std::string got;
    char buf[4096];
    while (got.find(needle) == std::string::npos) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
  }

  // Polls `done` for up to `limit`; true if it became true.
  template <typename Fn>
  static bool Within(std::chrono::milliseconds limit, Fn done) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done();
  }

  std::string dir_;
  std::string socket_path_;
  net::io_context io_{1};
  EventLoops loops_{2};
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
  net::thread_pool blocking_{1};
  ServerCounters counters_;
  std::shared_ptr<StreamSource> source_;
  std::function<std::shared_ptr<StreamSource>()> make_source_;  // wins over source_ when set
  ServerOptions options_;
  std::optional<HttpServer> server_;
  std::thread runner_;
};

TEST_F(SseServerTest, SharedFramesGoOutAsOneChunkInOrder) {
  auto event = Frame("id: 2\ndata: b\n\n");
  source_ = std::make_shared<ScriptedSource>(std::vector<std::vector<SharedFrame>>{
      {Frame("retry: 2000\n\n")}, {Frame("id: 1\ndata: a\n\n"), event}});
  int fd = OpenStream();
  ASSERT_GE(fd, 0);
  std::string got = ReadUntil(fd, "data: b\n\n\r\n");
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got;
  EXPECT_NE(got.find("\r\nd\r\nretry: 2000\n\n\r\n"), std::string::npos) << got;
  // 15 + 15 bytes = 0x1e: one chunk holding both frames.
  EXPECT_NE(got.find("\r\n1e\r\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n\r\n"), std::string::npos)
      << got;
  EXPECT_EQ(*event, "id: 2\ndata: b\n\n") << "the shared frame is never modified";
  ::close(fd);
}

TEST_F(SseServerTest, AClientThatClosesItsStreamIsNoticedAtOnce) {
  auto source = std::make_shared<ScriptedSource>(
      std::vector<std::vector<SharedFrame>>{{Frame("retry: 2000\n\n")}});
  source_ = source;
  int fd = OpenStream();
  ASSERT_GE(fd, 0);
  ReadUntil(fd, "retry: 2000\n\n");
  ASSERT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return counters_.open_streams == 1; }));
  EXPECT_EQ(source->closes, 0) << "an idle stream stays open while its client does";
  ::close(fd);
  // The source never writes again (no heartbeat), so only the read side can notice.
  EXPECT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return source->closes > 0; }));
  EXPECT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return counters_.open_streams == 0; }));
  EXPECT_TRUE(
      Within(std::chrono::milliseconds(2000), [&] { return counters_.open_connections == 0; }));
}

TEST_F(SseServerTest, AChunkTheSocketCannotTakeAtOnceArrivesWholeAndInOrder) {
  // Larger than the socket's buffers: the first write is partial and the rest is queued.
  std::string big(2 * 1024 * 1024, 'x');
  source_ = std::make_shared<ScriptedSource>(std::vector<std::vector<SharedFrame>>{
      {Frame("data: " + big + "\n\n"), Frame("data: tail\n\n")}, {Frame("data: next\n\n")}});
  int fd = OpenStream();
  ASSERT_GE(fd, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a slow reader
  std::string got = ReadUntil(fd, "data: next\n\n\r\n");
  char expected_head[32];
  std::snprintf(expected_head, sizeof expected_head, "\r\n%zx\r\ndata: ", big.size() + 8 + 12);
  auto head = got.find(expected_head);
  ASSERT_NE(head, std::string::npos);
  auto body = head + std::string(expected_head).size();
  EXPECT_EQ(got.compare(body, big.size(), big), 0);
  EXPECT_EQ(got.compare(body + big.size(), 16, "\n\ndata: tail\n\n\r\n"), 0);
  EXPECT_NE(got.find("\r\nc\r\ndata: next\n\n\r\n", body + big.size()), std::string::npos);
  ::close(fd);
}

TEST_F(SseServerTest, DirectSendsFromTheSourceArriveAsChunksInOrderEvenWhenTheSocketIsFull) {
  auto source = std::make_shared<DirectSource>();
  source_ = source;
  int fd = OpenStream();
  ASSERT_GE(fd, 0);
  ReadUntil(fd, "retry: 2000\n\n");
  ASSERT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return source->parked.load(); }));
  EXPECT_EQ(source->Send("data: small\n\n"), StreamSink::Sent::kAll);
  EXPECT_EQ(ReadUntil(fd, "data: small\n\n\r\n"), "d\r\ndata: small\n\n\r\n");

  // Larger than the socket's buffers: the sink keeps the rest, the writer sends it.
  std::string big(2 * 1024 * 1024, 'y');
  std::string got;
  std::thread reader([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a slow reader
    got = ReadUntil(fd, "data: tail\n\n\r\n");
  });
  EXPECT_EQ(source->Send("data: " + big + "\n\n"), StreamSink::Sent::kPart);
  ASSERT_TRUE(Within(std::chrono::milliseconds(5000), [&] { return source->parked.load(); }))
      << "the writer flushed the rest and waits again";
  EXPECT_EQ(source->Send("data: tail\n\n"), StreamSink::Sent::kAll);
  reader.join();
  char head[32];
  std::snprintf(head, sizeof head, "%zx\r\ndata: ", big.size() + 8);
  ASSERT_EQ(got.compare(0, std::strlen(head), head), 0) << got.substr(0, 40);
  EXPECT_EQ(got.compare(std::strlen(head), big.size(), big), 0);
  EXPECT_EQ(got.substr(std::strlen(head) + big.size()), "\n\n\r\nc\r\ndata: tail\n\n\r\n");
  ::close(fd);
  EXPECT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return counters_.open_streams == 0; }));
}

class CappedSseServerTest : public SseServerTest {
 protected:
  void SetUp() override {
    options_.max_streams = 2;
    make_source_ = [this] {
      auto source = std::make_shared<ScriptedSource>(
          std::vector<std::vector<SharedFrame>>{{Frame("retry: 2000\n\n")}});
      std::lock_guard lock(made_mu_);
      made_.push_back(source);
      return source;
    };
    SseServerTest::SetUp();
  }
  std::shared_ptr<ScriptedSource> Made(std::size_t i) {
    std::lock_guard lock(made_mu_);
    return made_.at(i);
  }
  std::mutex made_mu_;
  std::vector<std::shared_ptr<ScriptedSource>> made_;
};

TEST_F(CappedSseServerTest, AStreamBeyondMaxStreamsIs503AndAClosedOneFreesItsPlace) {
  int first = OpenStream();
  int second = OpenStream();
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  ReadUntil(first, "retry: 2000\n\n");
  ReadUntil(second, "retry: 2000\n\n");
  int third = OpenStream();
  ASSERT_GE(third, 0);
  std::string refused = ReadUntil(third, "}");
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("\"error\":\"stream_capacity\""), std::string::npos) << refused;
  EXPECT_NE(refused.find("Retry-After: 5"), std::string::npos) << refused;
  EXPECT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return Made(2)->closes == 1; }))
      << "the refused source is closed at once (it releases what it holds)";
  EXPECT_EQ(counters_.open_streams, 2);
  ::close(third);

  ::close(first);
  ASSERT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return counters_.open_streams == 1; }));
  int fourth = OpenStream();
  ASSERT_GE(fourth, 0);
  std::string got = ReadUntil(fourth, "retry: 2000\n\n");
  EXPECT_NE(got.find("retry: 2000"), std::string::npos) << got;
  EXPECT_EQ(counters_.open_streams, 2);
  ::close(second);
  ::close(fourth);
  EXPECT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return counters_.open_streams == 0; }));
}

}  // namespace
}  // namespace edgechat::worker
