// GuestStream: resume from MySQL, in-sequence notices without a query, gaps and duplicates.
#include <gtest/gtest.h>

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "events/hub.hpp"

namespace edgechat::worker {
namespace {

namespace net = boost::asio;

class EventsStore : public ChatStore {
 public:
  std::mutex mu;
  std::vector<EventNotice> events;  // of guest 1
  std::atomic<int> queries{0};

  Result<std::optional<Site>> FindSiteByKey(std::string_view) override { return Error{"x", ""}; }
  Result<std::string> CreateGuest(std::uint64_t, const std::string&, const std::string&,
                                  unsigned) override {
    return Error{"x", ""};
  }
  Result<std::optional<Guest>> FindGuest(std::uint64_t, const std::string&) override {
    return Error{"x", ""};
  }
  Result<History> LoadHistory(const Guest&) override { return Error{"x", ""}; }
  Result<PostedMessage> PostGuestMessage(const Site&, const Guest&, const std::string&,
                                         const std::optional<std::string>&) override {
    return Error{"x", ""};
  }
  Result<ReactionChange> SetReaction(const Guest&, std::uint64_t,
                                     const std::optional<std::string>&) override {
    return Error{"x", ""};
  }
  Result<std::vector<EventNotice>> EventsAfter(std::uint64_t, std::uint64_t after,
                                               unsigned limit) override {
    ++queries;
    std::lock_guard lock(mu);
    std::vector<EventNotice> out;
    for (const auto& e : events)
      if (e.id > after && out.size() < limit) out.push_back(e);
    return out;
  }
  Result<std::uint64_t> LastEventId(std::uint64_t) override {
    std::lock_guard lock(mu);
    return events.empty() ? std::uint64_t{0} : events.back().id;
  }
  void Add(const EventNotice& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
  }
};

EventNotice Event(std::uint64_t id, std::uint64_t prev) {
  return EventNotice{id, 1, 1, "message", "{\"n\":" + std::to_string(id) + "}", prev};
}

class HubTest : public ::testing::Test {
 protected:
  EventsStore store;
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(io);
  net::thread_pool blocking{1};
  EventHub hub{store, blocking, StreamOptions{std::chrono::seconds(1), 256}};
  std::thread runner{[this] { io.run(); }};
  net::strand<net::io_context::executor_type> strand = net::make_strand(io);

  ~HubTest() override {
    work.reset();
    io.stop();
    runner.join();
    blocking.join();
  }

  std::optional<std::string> Next(const std::shared_ptr<GuestStream>& stream) {
    auto future = net::co_spawn(strand, stream->Next(), net::use_future);
    return future.get();
  }
};

TEST_F(HubTest, ResumesFromMysqlThenTakesInSequenceNoticesWithoutAQuery) {
  store.Add(Event(6, 5));
  store.Add(Event(7, 6));
  auto stream = hub.Open(1, 5);
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  auto backlog = Next(stream);
  ASSERT_TRUE(backlog.has_value());
  EXPECT_NE(backlog->find("id: 6\n"), std::string::npos);
  EXPECT_NE(backlog->find("id: 7\n"), std::string::npos);
  int queries = store.queries;

  store.Add(Event(8, 7));
  hub.Deliver(Event(8, 7));
  EXPECT_EQ(Next(stream), FormatSse(Event(8, 7)));
  EXPECT_EQ(store.queries, queries) << "an in-sequence notice needs no query";
  stream->Close();
  EXPECT_EQ(hub.size(), 0u);
}

TEST_F(HubTest, AGapIsFilledFromMysqlAndDuplicatesAreDropped) {
  store.Add(Event(3, 0));
  auto stream = hub.Open(1, 3);
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  // Event 9 arrives before event 5 (another worker's notice is late).
  store.Add(Event(5, 3));
  store.Add(Event(9, 5));
  hub.Deliver(Event(9, 5));
  auto text = Next(stream);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, FormatSse(Event(5, 3)) + FormatSse(Event(9, 5)));
  // The late notice of 5 and a second copy of 9 change nothing: the next output is a heartbeat.
  hub.Deliver(Event(5, 3));
  hub.Deliver(Event(9, 5));
  EXPECT_EQ(Next(stream), ": heartbeat\n\n");
}

TEST_F(HubTest, WithoutLastEventIdTheStreamStartsAfterTheNewestEvent) {
  store.Add(Event(4, 0));
  auto stream = hub.Open(1, std::nullopt);
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  store.Add(Event(10, 4));
  hub.Deliver(Event(10, 4));
  EXPECT_EQ(Next(stream), FormatSse(Event(10, 4)));
}

TEST_F(HubTest, ShutdownEndsTheStream) {
  auto stream = hub.Open(1, 0);
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  hub.ShutdownAll();
  EXPECT_EQ(Next(stream), std::nullopt);
}

TEST_F(HubTest, NoticesForOtherGuestsDoNotWakeTheStream) {
  auto stream = hub.Open(1, 0);
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  EXPECT_EQ(Next(stream), ": heartbeat\n\n");  // first pass read MySQL: nothing
  EventNotice other = Event(20, 0);
  other.guest_id = 2;
  hub.Deliver(other);
  EXPECT_EQ(Next(stream), ": heartbeat\n\n");
}

TEST_F(HubTest, CloseEndsAWaitingNextAtOnce) {
  auto stream = hub.Open(1, 0);
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  auto waiting = net::co_spawn(strand, stream->Next(), net::use_future);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stream->Close();  // from another thread, as the server's read watch or a failed write does
  ASSERT_EQ(waiting.wait_for(std::chrono::milliseconds(500)), std::future_status::ready)
      << "ended by the close, not by the 1 s heartbeat";
  EXPECT_EQ(waiting.get(), std::nullopt);
  EXPECT_EQ(hub.size(), 0u);
}

TEST_F(HubTest, ABurstReachesAWaitingStreamAtOnceAndInOrder) {
  auto stream = hub.Open(1, 0);
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  auto waiting = net::co_spawn(strand, stream->Next(), net::use_future);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::string expected;
  for (std::uint64_t id = 1; id <= 5; ++id) {
    store.Add(Event(id, id - 1));
    hub.Deliver(Event(id, id - 1));
    expected += FormatSse(Event(id, id - 1));
  }
  ASSERT_EQ(waiting.wait_for(std::chrono::milliseconds(500)), std::future_status::ready);
  std::string got = waiting.get().value_or("");
  while (got.size() < expected.size()) {
    auto more = Next(stream);
    ASSERT_TRUE(more.has_value());
    ASSERT_NE(*more, ": heartbeat\n\n") << "a notice was left waiting for the heartbeat";
    got += *more;
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(store.queries, 1) << "only the first pass read MySQL";
}

}  // namespace
}  // namespace edgechat::worker
