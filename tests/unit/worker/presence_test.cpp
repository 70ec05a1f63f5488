// Agent presence: the record's wire form, the effective state and the site's availability by a
// moved clock, and the service's validation over a fake TTL store that expires by the same clock.
#include <gtest/gtest.h>

#include <map>

#include "service/presence.hpp"

namespace edgechat::worker {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kT0 = 1'800'000'000'000;  // some Unix time in ms

// A store whose records expire like Redis keys, by the test's clock.
class FakePresenceStore : public PresenceStore {
 public:
  explicit FakePresenceStore(const std::int64_t& now_ms) : now_ms_(now_ms) {}
  Status Put(const PresenceRecord& record, seconds ttl) override {
    if (down) return Error{ErrorKind::kUnavailable, "redis_unavailable", "down"};
    records_[record.admin_id] = {record, now_ms_ + ttl.count() * 1000};
    return Ok{};
  }
  Status Remove(std::uint64_t admin_id) override {
    if (down) return Error{ErrorKind::kUnavailable, "redis_unavailable", "down"};
    records_.erase(admin_id);
    return Ok{};
  }
  Result<std::vector<PresenceRecord>> All() override {
    if (down) return Error{ErrorKind::kUnavailable, "redis_unavailable", "down"};
    std::vector<PresenceRecord> out;
    for (const auto& [id, entry] : records_) {
      if (entry.second > now_ms_) out.push_back(entry.first);
    }
    return out;
  }
  bool down = false;

 private:
  const std::int64_t& now_ms_;
  std::map<std::uint64_t, std::pair<PresenceRecord, std::int64_t>> records_;
};

struct PresenceFixture : ::testing::Test {
  std::int64_t now = kT0;
  FakePresenceStore store{now};
  int changes = 0;
  PresenceService service{
      store,
      [this] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(now)); },
      PresenceOptions{seconds(45), seconds(15), seconds(300)}, [this] { ++changes; }};
  void Advance(std::int64_t ms) { now += ms; }
  SiteAvailability Visitors() { return service.Availability().value(); }
};

TEST(PresenceRules, RecordRoundTripsAndForeignValuesAreRefused) {
  PresenceRecord record{7, AgentState::kAway, kT0};
  EXPECT_EQ(EncodePresence(record), "away 1800000000000");
  auto back = DecodePresence(7, EncodePresence(record));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->admin_id, 7u);
  EXPECT_EQ(back->chosen, AgentState::kAway);
  EXPECT_EQ(back->last_active_ms, kT0);
  for (const char* bad : {"", "online", "online ", "offline 5", "busy 5", "online -1", "online 5x",
                          "online 99999999999999999999999"}) {
    auto decoded = DecodePresence(1, bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, "invalid_presence") << bad;
  }
}

TEST(PresenceRules, OnlineTurnsAwayExactlyWhenIdleTimeIsReached) {
  PresenceRecord record{1, AgentState::kOnline, kT0};
  EXPECT_EQ(EffectiveState(record, kT0, seconds(300)), AgentState::kOnline);
  EXPECT_EQ(EffectiveState(record, kT0 + 299'999, seconds(300)), AgentState::kOnline);
  EXPECT_EQ(EffectiveState(record, kT0 + 300'000, seconds(300)), AgentState::kAway);
  PresenceRecord away{1, AgentState::kAway, kT0};
  EXPECT_EQ(EffectiveState(away, kT0, seconds(300)), AgentState::kAway);
}

TEST(PresenceRules, VisitorsSeeOnlineWhileAnyAgentIsOnline) {
  std::vector<PresenceRecord> none;
  EXPECT_EQ(AvailabilityOf(none, kT0, seconds(60)), SiteAvailability::kAway);
  std::vector<PresenceRecord> mixed{{1, AgentState::kAway, kT0}, {2, AgentState::kOnline, kT0}};
  EXPECT_EQ(AvailabilityOf(mixed, kT0 + 59'000, seconds(60)), SiteAvailability::kOnline);
  EXPECT_EQ(AvailabilityOf(mixed, kT0 + 60'000, seconds(60)), SiteAvailability::kAway);
  EXPECT_EQ(SiteAvailabilityName(SiteAvailability::kOnline), "online");
  EXPECT_EQ(SiteAvailabilityName(SiteAvailability::kAway), "away");
}

TEST_F(PresenceFixture, ABeatMakesTheAgentOnlineUntilTheRecordExpires) {
  EXPECT_EQ(Visitors(), SiteAvailability::kAway);
  auto shown = service.Beat(3, "online", 0);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(*shown, AgentState::kOnline);
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(Visitors(), SiteAvailability::kOnline);
  Advance(44'999);  // no more beats: the tab was closed
  EXPECT_EQ(Visitors(), SiteAvailability::kOnline);
  Advance(1);
  EXPECT_EQ(Visitors(), SiteAvailability::kAway);
  EXPECT_TRUE(service.List()->empty());
}

TEST_F(PresenceFixture, IdleTimeFromThePanelCountsTowardsAway) {
  // The panel says the last input was 299 s ago: one more second and the agent is away, even
  // though the panel keeps refreshing.
  ASSERT_EQ(*service.Beat(3, "online", 299'000), AgentState::kOnline);
  Advance(1'000);
  auto list = service.List();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, AgentState::kAway);
  EXPECT_EQ(Visitors(), SiteAvailability::kAway);
  EXPECT_EQ(*service.Beat(3, "online", 300'000), AgentState::kAway);
  EXPECT_EQ(*service.Beat(3, "online", 0), AgentState::kOnline);  // back at the keyboard
}

TEST_F(PresenceFixture, AwayAndOfflineByHand) {
  ASSERT_TRUE(service.Beat(1, "online", 0).ok());
  ASSERT_TRUE(service.Beat(2, "online", 0).ok());
  EXPECT_EQ(*service.Beat(1, "away", 0), AgentState::kAway);
  EXPECT_EQ(Visitors(), SiteAvailability::kOnline);  // agent 2 is still there
  EXPECT_EQ(*service.Beat(2, "offline", 0), AgentState::kOffline);
  EXPECT_EQ(Visitors(), SiteAvailability::kAway);  // the last agent left
  auto list = service.List();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].admin_id, 1u);
  EXPECT_EQ((*list)[0].state, AgentState::kAway);
}

TEST_F(PresenceFixture, BadInputIsRefusedAndChangesNothing) {
  for (const char* state : {"", "ONLINE", "busy", "online "}) {
    auto r = service.Beat(1, state, 0);
    ASSERT_FALSE(r.ok()) << state;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(r.error().code, "invalid_state");
  }
  for (std::int64_t idle : {std::int64_t{-1}, std::int64_t{86'400'001}}) {
    auto r = service.Beat(1, "online", idle);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_number");
  }
  EXPECT_EQ(changes, 0);
  EXPECT_TRUE(service.List()->empty());
}

TEST_F(PresenceFixture, AStoreOutageIsAnErrorNotAState) {
  store.down = true;
  auto r = service.Beat(1, "online", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_FALSE(service.Availability().ok());
  EXPECT_EQ(changes, 0);
}

}  // namespace
}  // namespace edgechat::worker
