// GuestStream: resume from MySQL, in-sequence notices without a query, gaps and duplicates.
#include <gtest/gtest.h>

#include <utility>  // before awaitable.hpp (Boost 1.74 with g++ 12)

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "events/hub.hpp"
#include "events/presence_watch.hpp"

namespace edgechat::worker {
namespace {

namespace net = boost::asio;

// The event hub reads only the guest event log: a fake of that, nothing else.
class EventsStore : public GuestEventLog {
 public:
  std::mutex mu;
  std::vector<EventNotice> events;  // of guest 1 (every other guest has none)
  std::atomic<int> queries{0};

  Result<std::vector<EventNotice>> EventsAfter(std::uint64_t guest, std::uint64_t after,
                                               unsigned limit) override {
    ++queries;
    std::lock_guard lock(mu);
    std::vector<EventNotice> out;
    for (const auto& e : events)
      if (guest == 1 && e.id > after && out.size() < limit) out.push_back(e);
    return out;
  }
  Result<std::uint64_t> LastEventId(std::uint64_t guest) override {
    std::lock_guard lock(mu);
    return events.empty() || guest != 1 ? std::uint64_t{0} : events.back().id;
  }
  // Guest 1 holds every event; any other guest has none.
  Result<std::vector<NewestEvent>> NewestEventIds(std::span<const std::uint64_t> guests) override {
    ++newest_queries;
    std::lock_guard lock(mu);
    asked.assign(guests.begin(), guests.end());
    std::vector<NewestEvent> out;
    for (auto guest : guests)
      if (guest == 1 && !events.empty()) out.push_back(NewestEvent{1, events.back().id});
    return out;
  }
  std::vector<std::uint64_t> Asked() {
    std::lock_guard lock(mu);
    return asked;
  }
  std::atomic<int> newest_queries{0};
  std::vector<std::uint64_t> asked;  // the guests of the last NewestEventIds
  void Add(const EventNotice& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
  }
};

EventNotice Event(std::uint64_t id, std::uint64_t prev) {
  return EventNotice{id, 1, 1, "message", "{\"n\":" + std::to_string(id) + "}", prev};
}

// Stands in for the server's socket writer: records what a stream sends through it.
class RecordingSink : public StreamSink {
 public:
  // One entry per call: the frames sent together, joined.
  Sent SendNow(std::span<const std::string_view> sent) override {
    std::lock_guard lock(mu);
    std::string joined;
    for (auto frame : sent) joined += frame;
    frames.push_back(std::move(joined));
    return answer;
  }
  std::string Text() {  // everything sent, in order
    std::lock_guard lock(mu);
    std::string all;
    for (const auto& f : frames) all += f;
    return all;
  }
  std::vector<std::string> Frames() {
    std::lock_guard lock(mu);
    return frames;
  }
  std::mutex mu;
  std::vector<std::string> frames;
  std::atomic<Sent> answer{Sent::kAll};
};

template <typename Fn>
bool Within(std::chrono::milliseconds limit, Fn done) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

class HubTest : public ::testing::Test {
 protected:
  EventsStore store;
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(io);
  net::thread_pool blocking{1};
  EventHub hub{store, blocking, StreamOptions{std::chrono::seconds(1), 256}, {io.get_executor()}};
  std::thread runner{[this] { io.run(); }};

  ~HubTest() override {
    work.reset();
    io.stop();
    runner.join();
    blocking.join();
  }

  std::optional<std::string> Next(const std::shared_ptr<GuestStream>& stream) {
    auto future = net::co_spawn(io, stream->Next(), net::use_future);
    return future.get();
  }

  // A stream is touched only on its loop, as the server's read watch and writer do.
  template <typename Fn>
  void OnLoop(Fn fn) {
    net::post(io, net::use_future(std::move(fn))).get();
  }
  void Close(const std::shared_ptr<GuestStream>& stream) {
    OnLoop([&] { stream->Close(); });
  }

  // A stream past its `retry:` and its first read of MySQL, with `sink` attached and its writer
  // waiting in Next(): what the server leaves of an idle stream.
  std::future<std::optional<std::string>> StartWaiting(const std::shared_ptr<GuestStream>& stream,
                                                       StreamSink& sink) {
    OnLoop([&] { stream->AttachSink(&sink); });
    EXPECT_EQ(Next(stream), "retry: 2000\n\n");
    const int before = store.queries;
    auto waiting = net::co_spawn(io, stream->Next(), net::use_future);
    EXPECT_TRUE(
        Within(std::chrono::milliseconds(500), [&] { return store.queries == before + 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // parked after that read
    return waiting;
  }
};

TEST_F(HubTest, ResumesFromMysqlThenTakesInSequenceNoticesWithoutAQuery) {
  store.Add(Event(6, 5));
  store.Add(Event(7, 6));
  auto stream = hub.Open(1, 5).value();
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
  Close(stream);
  EXPECT_EQ(hub.size(), 0u);
}

TEST_F(HubTest, AGapIsFilledFromMysqlAndDuplicatesAreDropped) {
  store.Add(Event(3, 0));
  auto stream = hub.Open(1, 3).value();
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
  auto stream = hub.Open(1, std::nullopt).value();
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  store.Add(Event(10, 4));
  hub.Deliver(Event(10, 4));
  EXPECT_EQ(Next(stream), FormatSse(Event(10, 4)));
  EXPECT_EQ(store.queries, 0) << "the newest id was read; no page of events is needed";
}

TEST_F(HubTest, ShutdownEndsTheStream) {
  auto stream = hub.Open(1, 0).value();
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  hub.ShutdownAll();
  EXPECT_EQ(Next(stream), std::nullopt);
}

TEST_F(HubTest, NoticesForOtherGuestsDoNotWakeTheStream) {
  auto stream = hub.Open(1, 0).value();
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  EXPECT_EQ(Next(stream), ": heartbeat\n\n");  // first pass read MySQL: nothing
  EventNotice other = Event(20, 0);
  other.guest_id = 2;
  hub.Deliver(other);
  EXPECT_EQ(Next(stream), ": heartbeat\n\n");
}

TEST_F(HubTest, CloseEndsAWaitingNextAtOnce) {
  auto stream = hub.Open(1, 0).value();
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  auto waiting = net::co_spawn(io, stream->Next(), net::use_future);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Close(stream);  // as the server's read watch does when the client goes
  ASSERT_EQ(waiting.wait_for(std::chrono::milliseconds(500)), std::future_status::ready)
      << "ended by the close, not by the 1 s heartbeat";
  EXPECT_EQ(waiting.get(), std::nullopt);
  EXPECT_EQ(hub.size(), 0u);
}

TEST_F(HubTest, ABurstReachesAWaitingStreamAtOnceAndInOrder) {
  auto stream = hub.Open(1, 0).value();
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  auto waiting = net::co_spawn(io, stream->Next(), net::use_future);
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

TEST_F(HubTest, AWaitingStreamGetsInSequenceNoticesAndHeartbeatsThroughItsSinkWithoutWaking) {
  RecordingSink sink;
  auto stream = hub.Open(1, 0).value();
  auto waiting = StartWaiting(stream, sink);

  store.Add(Event(1, 0));
  hub.Deliver(Event(1, 0));
  store.Add(Event(2, 1));
  hub.Deliver(Event(2, 1));
  const std::string two = FormatSse(Event(1, 0)) + FormatSse(Event(2, 1));
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return sink.Text() == two; }))
      << sink.Text();
  // The 1 s heartbeat goes the same way.
  ASSERT_TRUE(Within(std::chrono::milliseconds(1500), [&] {
    return sink.Text() == two + ": heartbeat\n\n";
  })) << sink.Text();
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
      << "the writer was never resumed";
  EXPECT_EQ(store.queries, 1);

  // A gap (event 3 not seen here) wakes the writer, which reads MySQL from the last id sent.
  store.Add(Event(3, 2));
  store.Add(Event(4, 3));
  hub.Deliver(Event(4, 3));
  ASSERT_EQ(waiting.wait_for(std::chrono::milliseconds(500)), std::future_status::ready);
  EXPECT_EQ(waiting.get(), FormatSse(Event(3, 2)) + FormatSse(Event(4, 3)));
  EXPECT_EQ(sink.Text(), two + ": heartbeat\n\n") << "nothing more went through the sink";
  Close(stream);
}

// A notice from Redis may be forged: even in sequence, what the stream sends comes from MySQL.
TEST_F(HubTest, ANotifiedEventIsReadFromMysqlNeverTakenFromTheNotice) {
  RecordingSink sink;
  store.Add(Event(1, 0));
  auto stream = hub.Open(1, 1).value();
  auto waiting = StartWaiting(stream, sink);
  const int before = store.queries;

  // Forged: the next id in sequence, but MySQL has no event 2 yet. One read, nothing sent.
  hub.Notify(1, 2);
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return store.queries == before + 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  EXPECT_EQ(sink.Text(), "") << "nothing went through the sink";

  // A real one: the event as MySQL holds it.
  store.Add(Event(2, 1));
  hub.Notify(1, 2);
  ASSERT_EQ(waiting.wait_for(std::chrono::milliseconds(500)), std::future_status::ready);
  EXPECT_EQ(waiting.get(), FormatSse(Event(2, 1)));
  // A notice for an event the stream already sent reads nothing: the idle stream only beats.
  const int after = store.queries;
  auto idle = net::co_spawn(io, stream->Next(), net::use_future);
  hub.Notify(1, 2);
  hub.Notify(1, 1);
  ASSERT_TRUE(Within(std::chrono::milliseconds(1500), [&] { return !sink.Frames().empty(); }));
  for (const std::string& frame : sink.Frames()) EXPECT_EQ(frame, ": heartbeat\n\n");
  EXPECT_EQ(store.queries, after);
  Close(stream);
  EXPECT_EQ(idle.get(), std::nullopt);
}

TEST_F(HubTest, APartialDirectSendResumesTheWriterToFlushAndAFailedOneEndsTheStream) {
  RecordingSink sink;
  sink.answer = StreamSink::Sent::kPart;
  auto stream = hub.Open(1, 0).value();
  auto waiting = StartWaiting(stream, sink);
  store.Add(Event(1, 0));
  hub.Deliver(Event(1, 0));
  ASSERT_EQ(waiting.wait_for(std::chrono::milliseconds(500)), std::future_status::ready);
  EXPECT_EQ(waiting.get(), "") << "nothing new from the source: the server flushes its sink";
  EXPECT_EQ(sink.Frames().size(), 1u);

  sink.answer = StreamSink::Sent::kFailed;
  auto again = net::co_spawn(io, stream->Next(), net::use_future);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  store.Add(Event(2, 1));
  hub.Deliver(Event(2, 1));
  ASSERT_EQ(again.wait_for(std::chrono::milliseconds(500)), std::future_status::ready);
  EXPECT_EQ(again.get(), std::nullopt) << "a broken connection ends the stream";
  Close(stream);
  EXPECT_EQ(hub.size(), 0u);
}

TEST_F(HubTest, ManyStreamsOfOneGuestOnSeveralLoopsEachGetEveryEventOnce) {
  net::io_context second;
  auto second_work = net::make_work_guard(second);
  std::thread second_runner([&] { second.run(); });
  EventHub two_loops{store,
                     blocking,
                     StreamOptions{std::chrono::seconds(60), 256, 40},
                     {io.get_executor(), second.get_executor()}};
  std::vector<std::shared_ptr<GuestStream>> streams;
  std::vector<std::unique_ptr<RecordingSink>> sinks;
  std::vector<std::future<std::optional<std::string>>> waits;
  for (int i = 0; i < 40; ++i) {
    auto& loop = i % 2 == 0 ? io : second;
    streams.push_back(two_loops.Open(1, 0).value());
    sinks.push_back(std::make_unique<RecordingSink>());
    net::post(loop, net::use_future([&] { streams.back()->AttachSink(sinks.back().get()); })).get();
    EXPECT_EQ(net::co_spawn(loop, streams.back()->Next(), net::use_future).get(),
              "retry: 2000\n\n");
    waits.push_back(net::co_spawn(loop, streams.back()->Next(), net::use_future));
  }
  ASSERT_TRUE(Within(std::chrono::milliseconds(2000), [&] { return store.queries == 40; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(two_loops.size(), 40u);
  for (std::uint64_t id = 1; id <= 5; ++id) {
    store.Add(Event(id, id - 1));
    two_loops.Deliver(Event(id, id - 1));
  }
  std::string five;
  for (std::uint64_t id = 1; id <= 5; ++id) five += FormatSse(Event(id, id - 1));
  for (auto& sink : sinks) {
    ASSERT_TRUE(Within(std::chrono::milliseconds(1000), [&] { return sink->Text() == five; }))
        << sink->Text();
  }
  // Closing in any order keeps every remaining stream reachable (swap-and-pop slots).
  for (std::size_t i = 0; i < streams.size(); i += 3) {
    auto& loop = i % 2 == 0 ? io : second;
    net::post(loop, net::use_future([&] { streams[i]->Close(); })).get();
  }
  store.Add(Event(6, 5));
  two_loops.Deliver(Event(6, 5));
  for (std::size_t i = 0; i < sinks.size(); ++i) {
    std::string expected = i % 3 == 0 ? five : five + FormatSse(Event(6, 5));
    ASSERT_TRUE(
        Within(std::chrono::milliseconds(1000), [&] { return sinks[i]->Text() == expected; }))
        << "stream " << i;
  }
  EXPECT_EQ(store.queries, 40) << "no stream read MySQL for in-sequence notices";
  for (std::size_t i = 0; i < streams.size(); ++i) {
    auto& loop = i % 2 == 0 ? io : second;
    net::post(loop, net::use_future([&] { streams[i]->Close(); })).get();
  }
  EXPECT_EQ(two_loops.size(), 0u);
  for (auto& w : waits) EXPECT_EQ(w.get(), std::nullopt);
  second_work.reset();
  second.stop();
  second_runner.join();
}

TEST_F(HubTest, EventsThatPileUpWhileTheLoopIsBusyGoToEachStreamInOneWrite) {
  RecordingSink sink;
  auto stream = hub.Open(1, 0).value();
  auto waiting = StartWaiting(stream, sink);

  // Keep the loop busy while three events commit, as a long fan-out would.
  std::promise<void> release;
  net::post(io, [gate = release.get_future().share()] { gate.wait(); });
  std::string expected;
  for (std::uint64_t id = 1; id <= 3; ++id) {
    store.Add(Event(id, id - 1));
    hub.Deliver(Event(id, id - 1));
    expected += FormatSse(Event(id, id - 1));
  }
  release.set_value();
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return !sink.Frames().empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(sink.Frames().size(), 1u) << "one write for the three events";
  EXPECT_EQ(sink.Frames()[0], expected);
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  Close(stream);
}

TEST_F(HubTest, AGuestGetsAtMostMaxPerGuestStreamsAndAClosedOneFreesItsPlace) {
  EventHub capped{
      store, blocking, StreamOptions{std::chrono::seconds(60), 256, 2}, {io.get_executor()}};
  auto first = capped.Open(1, 0);
  auto second = capped.Open(1, 0);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  auto third = capped.Open(1, 0);
  ASSERT_FALSE(third.ok()) << "the newest is refused";
  EXPECT_EQ(third.error().code, "too_many_streams");
  EXPECT_TRUE(capped.Open(2, 0).ok()) << "another guest has places of its own";
  // A stream counts from Open() on, started or not, until it is closed...
  OnLoop([&] { first.value()->Close(); });
  auto again = capped.Open(1, 0);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(capped.Open(1, 0).ok());
  // ...or dropped without ever being closed (a response that was never written).
  again = Error{ErrorKind::kUnavailable, "dropped", ""};
  EXPECT_TRUE(capped.Open(1, 0).ok());
}

TEST_F(HubTest, AStreamThatOutlivesItsHubStillReleasesItsPlace) {
  // As at an exit without draining: the loops' pending work is destroyed after the hub.
  std::shared_ptr<GuestStream> kept;
  {
    EventHub short_lived{store, blocking, StreamOptions{}, {io.get_executor()}};
    kept = short_lived.Open(1, 0).value();
  }
  kept.reset();  // its count lives as long as the last stream that holds a place in it
}

TEST_F(HubTest, ACatchUpRoundDeliversAnEventWhoseNoticeWasLostWithOneQueryForAllIdleStreams) {
  RecordingSink sink_a, sink_b, sink_other;
  store.Add(Event(1, 0));
  auto a = hub.Open(1, 1).value();
  auto b = hub.Open(1, 1).value();
  auto other = hub.Open(2, 0).value();
  auto waiting_a = StartWaiting(a, sink_a);
  auto waiting_b = StartWaiting(b, sink_b);
  auto waiting_other = StartWaiting(other, sink_other);
  const int reads = store.queries;

  // Nothing missed: the round asks once for both guests and nobody reads MySQL.
  net::co_spawn(io, hub.CatchUpRound(), net::use_future).get();
  EXPECT_EQ(store.newest_queries, 1);
  auto asked = store.Asked();
  std::sort(asked.begin(), asked.end());
  EXPECT_EQ(asked, (std::vector<std::uint64_t>{1, 2})) << "each guest once";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(store.queries, reads);

  // Event 2 committed, its notice never came (PUBLISH failed): the next round catches both
  // streams of guest 1 up from MySQL; guest 2's stream stays as it was.
  store.Add(Event(2, 1));
  net::co_spawn(io, hub.CatchUpRound(), net::use_future).get();
  EXPECT_EQ(store.newest_queries, 2);
  ASSERT_EQ(waiting_a.wait_for(std::chrono::milliseconds(500)), std::future_status::ready);
  ASSERT_EQ(waiting_b.wait_for(std::chrono::milliseconds(500)), std::future_status::ready);
  EXPECT_EQ(waiting_a.get(), FormatSse(Event(2, 1)));
  EXPECT_EQ(waiting_b.get(), FormatSse(Event(2, 1)));
  EXPECT_EQ(store.queries, reads + 2);
  EXPECT_EQ(waiting_other.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  Close(a);
  Close(b);
  Close(other);
}

TEST_F(HubTest, AResyncChecksEveryStreamAndOnlyThoseBehindReadMysql) {
  EventHub hub0{store,
                blocking,
                StreamOptions{std::chrono::seconds(60), 256, 8, std::chrono::milliseconds(0)},
                {io.get_executor()},
                [] { return 0.5; }};
  store.Add(Event(1, 0));
  RecordingSink behind_sink, current_sink;
  auto behind = hub0.Open(1, 0).value();
  OnLoop([&] { behind->AttachSink(&behind_sink); });
  EXPECT_EQ(Next(behind), "retry: 2000\n\n");
  EXPECT_EQ(Next(behind), FormatSse(Event(1, 0)));
  auto waiting_behind = net::co_spawn(io, behind->Next(), net::use_future);
  auto current = hub0.Open(2, 0).value();
  OnLoop([&] { current->AttachSink(&current_sink); });
  EXPECT_EQ(Next(current), "retry: 2000\n\n");
  auto waiting_current = net::co_spawn(io, current->Next(), net::use_future);
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return store.queries == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  store.Add(Event(2, 1));  // published while Redis was away
  hub0.ResyncAll();
  ASSERT_EQ(waiting_behind.wait_for(std::chrono::milliseconds(1000)), std::future_status::ready);
  EXPECT_EQ(waiting_behind.get(), FormatSse(Event(2, 1)));
  EXPECT_EQ(store.newest_queries, 1) << "one batched check for both guests";
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(store.queries, 3) << "the stream that was current did not read MySQL";
  EXPECT_EQ(waiting_current.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  Close(behind);
  Close(current);
}

// A random source that plays back fixed values.
std::function<double()> Playback(std::vector<double> values) {
  auto next = std::make_shared<std::size_t>(0);
  return [values = std::move(values), next] { return values[(*next)++ % values.size()]; };
}

TypingNotice AgentTyping(std::uint64_t guest) {
  return TypingNotice{9, guest, TypingNotice::From::kAgent};
}

TEST_F(HubTest, AnAgentsTypingGoesToAWaitingStreamAsAnEventWithoutAnId) {
  RecordingSink sink;
  auto stream = hub.Open(1, 0).value();
  auto waiting = StartWaiting(stream, sink);
  hub.DeliverTyping(AgentTyping(1));
  const std::string typing = "event: typing\ndata: {\"from\":\"agent\"}\n\n";
  EXPECT_EQ(FormatTypingSse(AgentTyping(1)), typing);
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return sink.Text() == typing; }))
      << sink.Text();
  // It is not an event: the next committed one still continues from where the stream stood.
  store.Add(Event(1, 0));
  hub.Deliver(Event(1, 0));
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] {
    return sink.Text() == typing + FormatSse(Event(1, 0));
  })) << sink.Text();
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  EXPECT_EQ(store.queries, 1) << "typing needs no query";
  Close(stream);
}

TEST_F(HubTest, TypingReachesOnlyItsGuestAndAGuestsOwnTypingReachesNoGuestStream) {
  RecordingSink sink;
  auto stream = hub.Open(1, 0).value();
  auto waiting = StartWaiting(stream, sink);
  hub.DeliverTyping(AgentTyping(2));
  hub.DeliverTyping(TypingNotice{9, 1, TypingNotice::From::kGuest});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(sink.Text(), "");
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  Close(stream);
}

TEST_F(HubTest, TypingForABusyStreamWaitsInOneSlotAndNeverMovesItsLastId) {
  store.Add(Event(6, 5));
  auto stream = hub.Open(1, 5).value();
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  EXPECT_EQ(Next(stream), FormatSse(Event(6, 5)));
  // No writer waits: three typing notices leave one frame, sent with the next write.
  for (int i = 0; i < 3; ++i) {
    hub.DeliverTyping(AgentTyping(1));
    OnLoop([] {});  // each its own drain
  }
  EXPECT_EQ(Next(stream), FormatTypingSse(AgentTyping(1)));
  store.Add(Event(7, 6));
  hub.Deliver(Event(7, 6));
  EXPECT_EQ(Next(stream), FormatSse(Event(7, 6))) << "still in sequence after the typing";
  Close(stream);
}

const char kOnline[] = "event: presence\ndata: {\"state\":\"online\"}\n\n";
const char kAway[] = "event: presence\ndata: {\"state\":\"away\"}\n\n";

TEST_F(HubTest, AStreamOpensWithTheCurrentPresenceAndGetsEachChangeOnce) {
  hub.SetPresence("online");
  RecordingSink sink;
  auto stream = hub.Open(1, 0).value();
  OnLoop([&] { stream->AttachSink(&sink); });
  EXPECT_EQ(Next(stream), std::string("retry: 2000\n\n") + kOnline);
  auto waiting = net::co_spawn(io, stream->Next(), net::use_future);
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return store.queries == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // parked after that read
  hub.SetPresence("online");                                   // unchanged: nothing sent
  hub.SetPresence("away");
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return sink.Text() == kAway; }))
      << sink.Text();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(sink.Text(), kAway);
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  EXPECT_EQ(store.queries, 1) << "presence needs no query";
  Close(stream);
}

TEST_F(HubTest, ASiteOutsideItsHoursShowsThatOverTheAgentsStateAndOnlyItsStreamsAreTold) {
  const std::string closed =
      "event: presence\ndata: {\"awayText\":\"Back at \\\"9\\\" \u062f\",\"state\":"
      "\"outside_hours\"}\n\n";
  hub.SetPresence("online");
  hub.SetOutsideHours({{7, "Back at \"9\" \u062f"}});
  RecordingSink sink7, sink8;
  auto shut = hub.Open(1, 0, 7).value();
  auto open = hub.Open(2, 0, 8).value();
  OnLoop([&] {
    shut->AttachSink(&sink7);
    open->AttachSink(&sink8);
  });
  EXPECT_EQ(Next(shut), "retry: 2000\n\n" + closed) << "opens with its site's state";
  EXPECT_EQ(Next(open), std::string("retry: 2000\n\n") + kOnline);
  auto w7 = net::co_spawn(io, shut->Next(), net::use_future);
  auto w8 = net::co_spawn(io, open->Next(), net::use_future);
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return store.queries == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  hub.SetOutsideHours({{7, "Back at \"9\" \u062f"}});  // unchanged: nothing sent
  hub.SetPresence("away");                             // the closed site keeps its state
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return sink8.Text() == kAway; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(sink7.Text(), "");
  hub.SetOutsideHours({});  // site 7 opens: the agents' state
  ASSERT_TRUE(Within(std::chrono::milliseconds(500), [&] { return sink7.Text() == kAway; }))
      << sink7.Text();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(sink8.Text(), kAway) << "the open site was not told again";
  Close(shut);
  Close(open);
}

TEST_F(HubTest, PresenceAndTypingForABusyStreamKeepSeparateSlots) {
  store.Add(Event(6, 5));
  auto stream = hub.Open(1, 5).value();
  EXPECT_EQ(Next(stream), "retry: 2000\n\n");
  hub.SetPresence("away");
  OnLoop([] {});
  hub.DeliverTyping(AgentTyping(1));
  OnLoop([] {});
  // The stream is busy reading MySQL: the event first, then typing and presence, both kept.
  EXPECT_EQ(Next(stream), FormatSse(Event(6, 5)));
  EXPECT_EQ(Next(stream), FormatTypingSse(AgentTyping(1)) + kAway);
  store.Add(Event(7, 6));
  hub.Deliver(Event(7, 6));
  EXPECT_EQ(Next(stream), FormatSse(Event(7, 6))) << "presence never moves the last id";
  Close(stream);
}

// A presence store for the watch: its records, or an outage.
struct ScriptedPresence : PresenceStore {
  Status Put(const PresenceRecord&, std::chrono::seconds) override { return Ok{}; }
  Status Remove(std::uint64_t) override { return Ok{}; }
  Result<std::vector<PresenceRecord>> All() override {
    if (down) return Error{ErrorKind::kUnavailable, "redis_unavailable", "down"};
    return records;
  }
  std::vector<PresenceRecord> records;
  bool down = false;
};

TEST_F(HubTest, ThePresenceWatchTellsTheHubAndKeepsTheLastStateWhileTheStoreIsDown) {
  ScriptedPresence presence;
  std::int64_t now = 1'800'000'000'000;
  PresenceWatch watch(
      presence, hub,
      [&] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(now)); },
      std::chrono::seconds(60), std::chrono::milliseconds(1000));
  presence.down = true;
  EXPECT_FALSE(watch.RunOnce());
  EXPECT_EQ(hub.PresenceFrame(), nullptr) << "not known yet: no state is made up";
  presence.down = false;
  presence.records = {PresenceRecord{1, AgentState::kOnline, now}};
  EXPECT_TRUE(watch.RunOnce());
  EXPECT_EQ(*hub.PresenceFrame(), kOnline);
  presence.down = true;
  EXPECT_FALSE(watch.RunOnce());
  EXPECT_EQ(*hub.PresenceFrame(), kOnline) << "the last state stays while Redis is down";
  presence.down = false;
  now += 60'000;  // the agent's last input is now idle time old
  EXPECT_TRUE(watch.RunOnce());
  EXPECT_EQ(*hub.PresenceFrame(), kAway);
}

// Office hours for the watch: stored rows, counted reads, or an outage.
struct ScriptedHours : OfficeHoursRepo {
  Result<std::optional<OfficeHoursRow>> Get(std::uint64_t) override {
    return std::optional<OfficeHoursRow>();
  }
  Result<std::vector<OfficeHoursRow>> All() override {
    ++reads;
    if (down) return Error{ErrorKind::kUnavailable, "db_unavailable", "down"};
    return rows;
  }
  Status Put(const OfficeHoursRow&, const std::string&, const Actor&) override { return Ok{}; }
  Status Remove(std::uint64_t, const std::string&, const Actor&) override { return Ok{}; }
  std::vector<OfficeHoursRow> rows;
  int reads = 0;
  bool down = false;
};

TEST_F(HubTest, ThePresenceWatchFlipsASiteAtItsBoundaryAndReReadsHoursWhenDueOrPoked) {
  ScriptedPresence presence;
  ScriptedHours hours;
  std::int64_t now = 1'800'000'000'000;  // Friday 2027-01-15 08:00:00 UTC
  presence.records = {PresenceRecord{1, AgentState::kOnline, now}};
  OfficeHours h;
  h.time_zone = "UTC";
  h.week[4] = {HoursInterval{8 * 60 + 1, 9 * 60}};  // Friday 08:01-09:00
  h.away_text = "from 08:01";
  hours.rows = {EncodeOfficeHours(7, h)};
  PresenceWatch watch(
      presence, hub,
      [&] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(now)); },
      std::chrono::seconds(600), std::chrono::milliseconds(1000), &hours, SystemZoneLoader(),
      std::chrono::minutes(5));
  const std::string closed =
      "event: presence\ndata: {\"awayText\":\"from 08:01\",\"state\":\"outside_hours\"}\n\n";
  EXPECT_TRUE(watch.RunOnce());
  EXPECT_EQ(*hub.PresenceFrame(7), closed) << "closed wins over the online agent";
  EXPECT_EQ(*hub.PresenceFrame(8), kOnline) << "a site without hours is open";
  now += 59'000;
  watch.RunOnce();
  EXPECT_EQ(*hub.PresenceFrame(7), closed) << "one second before the boundary";
  now += 1'000;
  watch.RunOnce();
  EXPECT_EQ(*hub.PresenceFrame(7), kOnline) << "at the boundary";
  EXPECT_EQ(hours.reads, 1) << "evaluated in memory; not due for a re-read";
  // A change elsewhere shows at the next re-read; a poke re-reads at once.
  hours.rows.clear();
  h.week[4] = {};
  hours.rows = {EncodeOfficeHours(7, h)};
  watch.RunOnce();
  EXPECT_EQ(*hub.PresenceFrame(7), kOnline);
  watch.Poke();
  watch.RunOnce();
  EXPECT_EQ(hours.reads, 2);
  EXPECT_EQ(*hub.PresenceFrame(7), closed);
  // MySQL down: the last hours stay in force.
  hours.down = true;
  now += 5 * 60'000;
  watch.RunOnce();
  EXPECT_EQ(hours.reads, 3);
  EXPECT_EQ(*hub.PresenceFrame(7), closed);
}

TEST(PlanResync, CoversEveryGuestOnceInEvenBatchesOfAtMostTheBatchSize) {
  auto plan = PlanResync(300, 128, std::chrono::milliseconds(2000), Playback({0.0}));
  ASSERT_EQ(plan.size(), 3u);
  std::size_t next = 0;
  for (const auto& batch : plan) {
    EXPECT_EQ(batch.first, next);
    EXPECT_EQ(batch.count, 100u) << "evenly sized";
    next += batch.count;
  }
  EXPECT_EQ(next, 300u);
  auto uneven = PlanResync(257, 128, std::chrono::milliseconds(2000), Playback({0.0}));
  ASSERT_EQ(uneven.size(), 3u);
  std::size_t total = 0;
  for (const auto& batch : uneven) {
    EXPECT_LE(batch.count, 128u);
    EXPECT_GE(batch.count, 85u);
    total += batch.count;
  }
  EXPECT_EQ(total, 257u);
  EXPECT_TRUE(PlanResync(0, 128, std::chrono::milliseconds(2000), Playback({0.5})).empty());
}

TEST(PlanResync, EachBatchStartsAtAJitteredPointOfItsOwnSliceOfTheWindow) {
  // Four batches over 2000 ms: slices of 500 ms, each batch at its slice's start plus jitter.
  auto plan =
      PlanResync(4 * 128, 128, std::chrono::milliseconds(2000), Playback({0.0, 0.5, 0.25, 0.999}));
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[0].delay, std::chrono::milliseconds(0));
  EXPECT_EQ(plan[1].delay, std::chrono::milliseconds(750));
  EXPECT_EQ(plan[2].delay, std::chrono::milliseconds(1125));
  EXPECT_EQ(plan[3].delay, std::chrono::milliseconds(1999));
  // Whatever the source says, every delay stays inside the window and the order holds.
  for (double odd : {-3.0, 1.0, 7.5}) {
    auto clamped = PlanResync(10 * 128, 128, std::chrono::milliseconds(2000), Playback({odd}));
    for (std::size_t i = 0; i < clamped.size(); ++i) {
      EXPECT_GE(clamped[i].delay.count(), static_cast<long>(i * 200)) << odd;
      EXPECT_LT(clamped[i].delay.count(), static_cast<long>((i + 1) * 200)) << odd;
    }
  }
  // A large worker: 10,000 guests spread over the window, never all in one moment.
  auto many = PlanResync(10000, 128, std::chrono::milliseconds(2000), Playback({0.3, 0.9, 0.1}));
  EXPECT_EQ(many.size(), 79u);
  EXPECT_LT(many.back().delay, std::chrono::milliseconds(2000));
  EXPECT_GE(many.back().delay, std::chrono::milliseconds(1974));
}

TEST(PlanResync, AWindowOfZeroChecksEverythingAtOnce) {
  auto plan = PlanResync(1000, 128, std::chrono::milliseconds(0), Playback({0.7}));
  ASSERT_EQ(plan.size(), 8u);
  for (const auto& batch : plan) EXPECT_EQ(batch.delay, std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace edgechat::worker
