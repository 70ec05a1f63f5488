// The admin event stream's timing (heartbeats, session checks) on a fake clock: no test sleeps
// for the 15 s heartbeat or the 5 s session check.
#include "admin/admin_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <string>
#include <vector>

namespace edgechat::worker {
namespace {

namespace net = boost::asio;

class FakeEventsLog : public AllEventsLog {
 public:
  Result<std::vector<EventNotice>> EventsAfter(std::uint64_t after_id, unsigned) override {
    std::vector<EventNotice> out;
    for (const auto& e : events)
      if (e.id > after_id) out.push_back(e);
    return out;
  }
  Result<std::uint64_t> LastEventId() override { return last; }
  std::vector<EventNotice> events;
  std::uint64_t last = 0;
};

class AdminStreamTest : public ::testing::Test {
 protected:
  AdminStreamTest() {
    options.poll = std::chrono::milliseconds(1);
    options.clock = [this] { return now; };
  }
  // The stream's next chunk, run to completion on a private io_context.
  std::optional<std::string> Next(AdminStream& stream) {
    net::io_context io;
    auto result = net::co_spawn(io, stream.Next(), net::use_future);
    io.run();
    return result.get();
  }
  // The poll timer stays real but 1 ms: what the test controls is the clock the stream reads.
  FakeEventsLog log;
  net::thread_pool blocking{1};
  std::atomic<bool> shutdown{false};
  AdminStreamOptions options;
  std::chrono::steady_clock::time_point now{};
};

TEST_F(AdminStreamTest, HeartbeatComesWhenTheClockSaysSoAndSessionChecksFollowIt) {
  int checks = 0;
  bool alive = true;
  AdminStream stream(
      log, blocking, shutdown, std::optional<std::uint64_t>(0),
      [&] {
        ++checks;
        return alive;
      },
      options);
  EXPECT_EQ(Next(stream), "retry: 2000\n\n: ready\n\n");

  // An event is sent at once; no heartbeat or session check is due at the same instant.
  log.events.push_back(EventNotice{1, 7, 3, "message", "{}", 0});
  auto first = Next(stream);
  ASSERT_TRUE(first);
  EXPECT_NE(first->find("id: 1\nevent: message\n"), std::string::npos);
  EXPECT_EQ(checks, 0);

  // 15 s of fake time later (nothing new) the next chunk is a heartbeat, after one session check.
  now += options.heartbeat;
  EXPECT_EQ(Next(stream), ": heartbeat\n\n");
  EXPECT_EQ(checks, 1);

  // A session that has ended closes the stream at its next check, not before.
  alive = false;
  now += options.session_check;
  EXPECT_EQ(Next(stream), std::nullopt);
  EXPECT_EQ(checks, 2);
}

}  // namespace
}  // namespace edgechat::worker
